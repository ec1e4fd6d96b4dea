//! A generator of random, well-formed Polar policies over a fixed set of classes (the
//! [`FIELDS`] schema; the Rust types are in `world.rs`). Used by `tests/build.rs`, which
//! compiles each generated policy into `$OUT_DIR`, and by `tests/tests/generated_vs_oso.rs`,
//! which regenerates them to compare the compiled checks with Oso 0.27.3.
//!
//! The generator is *typed*: the compiler lets rustc type the generated code, and comparing
//! values Oso could never find equal (a string with an integer) is a build error by design,
//! so every comparison it writes is between values of compatible static types. Values whose
//! type is known only at run time (parameters without a specializer, [`Ty::Dyn`]) are used
//! where the compiled code checks them at run time: unification, calls, `matches`.
//!
//! It covers rules with class, built-in, instance and dictionary specializers, literal and
//! list-pattern parameters, `and`/`or`/`not`, `=`, `:=`, `==`/`!=`/`<`/..., arithmetic,
//! `in` (lists, strings, options), `matches`, `forall`, list and dictionary literals,
//! dictionary lookups, `nil`, calls between generated rules (ground and binding an output),
//! recursion (countdowns, mutual recursion, list walks), `cut`, and resource blocks with
//! roles, permissions and relations. Generation is deterministic per `(seed, index)`
//! ([`generate`]) and needs nothing outside `std`, so that the build script can use it.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::fmt::Write as _;

/// SplitMix64: small, deterministic on every platform, good enough for test data.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index into `weights`, each chosen with probability proportional to its weight.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total.max(1) as usize) as u32;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        0
    }
}

/// The seed of policy `index` of a run with `seed`: policies are independent, so that a
/// failure reproduces from `(seed, index)` alone.
pub fn policy_seed(seed: u64, index: usize) -> u64 {
    let mut rng = Rng::new(seed ^ (index as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93));
    rng.next_u64()
}

/// The classes of the fixed schema.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
pub enum Cls {
    User,
    Org,
    Repo,
    Doc,
    Role,
}

impl Cls {
    pub fn name(self) -> &'static str {
        match self {
            Cls::User => "User",
            Cls::Org => "Org",
            Cls::Repo => "Repo",
            Cls::Doc => "Doc",
            Cls::Role => "Role",
        }
    }
}

/// Element types of list fields.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Elem {
    Str,
    Int,
    Role,
}

impl Elem {
    pub fn ty(self) -> Ty {
        match self {
            Elem::Str => Ty::Str,
            Elem::Int => Ty::Int,
            Elem::Role => Ty::Class(Cls::Role),
        }
    }
}

/// Static types of values in a generated clause.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ty {
    Str,
    Int,
    Float,
    Bool,
    List(Elem),
    /// `Option<String>`
    OptStr,
    /// `HashMap<String, i64>`
    Map,
    Class(Cls),
    /// Known only at run time: a parameter without a specializer (or with a dictionary
    /// pattern), or a value taken out of one in the head (a list or dictionary pattern).
    Dyn,
}

impl Ty {
    fn is_num(self) -> bool {
        matches!(self, Ty::Int | Ty::Float)
    }

    fn is_scalar(self) -> bool {
        matches!(self, Ty::Str | Ty::Int | Ty::Float | Ty::Bool)
    }
}

/// The fields of every class (the Rust structs in `world.rs` have exactly these).
pub const FIELDS: &[(Cls, &str, Ty)] = &[
    (Cls::User, "name", Ty::Str),
    (Cls::User, "age", Ty::Int),
    (Cls::User, "score", Ty::Float),
    (Cls::User, "admin", Ty::Bool),
    (Cls::User, "tags", Ty::List(Elem::Str)),
    (Cls::User, "nums", Ty::List(Elem::Int)),
    (Cls::User, "org", Ty::Class(Cls::Org)),
    (Cls::User, "nick", Ty::OptStr),
    (Cls::User, "prefs", Ty::Map),
    (Cls::User, "roles", Ty::List(Elem::Role)),
    (Cls::Role, "name", Ty::Str),
    (Cls::Role, "res", Ty::Str),
    (Cls::Org, "name", Ty::Str),
    (Cls::Org, "level", Ty::Int),
    (Cls::Org, "public", Ty::Bool),
    (Cls::Org, "tags", Ty::List(Elem::Str)),
    (Cls::Org, "rating", Ty::Float),
    (Cls::Repo, "name", Ty::Str),
    (Cls::Repo, "org", Ty::Class(Cls::Org)),
    (Cls::Repo, "public", Ty::Bool),
    (Cls::Repo, "stars", Ty::Int),
    (Cls::Repo, "weight", Ty::Float),
    (Cls::Repo, "topics", Ty::List(Elem::Str)),
    (Cls::Repo, "owner", Ty::OptStr),
    (Cls::Repo, "meta", Ty::Map),
    (Cls::Doc, "title", Ty::Str),
    (Cls::Doc, "repo", Ty::Class(Cls::Repo)),
    (Cls::Doc, "level", Ty::Int),
    (Cls::Doc, "ratio", Ty::Float),
    (Cls::Doc, "locked", Ty::Bool),
    (Cls::Doc, "tags", Ty::List(Elem::Str)),
    (Cls::Doc, "nums", Ty::List(Elem::Int)),
    (Cls::Doc, "author", Ty::Str),
];

fn fields(cls: Cls) -> impl Iterator<Item = (&'static str, Ty)> {
    FIELDS.iter().filter(move |(c, _, _)| *c == cls).map(|(_, f, t)| (*f, *t))
}

/// Literal pools, shared with the world generator so that equalities hold often.
pub const STRS: &[&str] = &["a", "b", "ann", "bo", ""];
pub const INTS: &[i64] = &[-1, 0, 1, 2, 3, 5, 10];
pub const FLOATS: &[&str] = &["0.5", "1.0", "2.5", "-1.5", "0.0"];
/// Keys of the map fields (`prefs`, `meta`).
pub const KEYS: &[&str] = &["a", "b", "c"];
pub const ROLES: &[&str] = &["owner", "member", "reader", "writer", "admin"];
/// The actions policies name; the test asks about each of them and one more.
pub const ACTIONS: &[&str] = &["read", "write", "push", "delete", "comment", "view"];
/// Classes that can be actors or resources in the generated `allow` rules.
pub const ACTORS: &[Cls] = &[Cls::User, Cls::Org];
pub const RESOURCES: &[Cls] = &[Cls::Org, Cls::Repo, Cls::Doc, Cls::User];

/// One generated policy.
#[derive(Clone, Debug)]
pub struct Policy {
    pub seed: u64,
    pub index: usize,
    pub text: String,
    /// The constructs it uses (for the coverage summary).
    pub features: BTreeSet<&'static str>,
}

/// Policy `index` of the run with `seed`.
pub fn generate(seed: u64, index: usize) -> Policy {
    let mut g = Gen {
        rng: Rng::new(policy_seed(seed, index)),
        sigs: Vec::new(),
        features: BTreeSet::new(),
        blocks: Vec::new(),
    };
    let text = g.policy();
    Policy { seed, index, text, features: g.features }
}

/// A rule the generated clauses may call: parameter types, and which parameter (if any)
/// every clause binds, so that a call may leave it unbound.
#[derive(Clone, Debug)]
struct Sig {
    name: String,
    params: Vec<Ty>,
    out: Option<usize>,
}

/// A resource block: its class, roles and permissions.
#[derive(Clone, Debug)]
struct Block {
    cls: Cls,
    roles: Vec<&'static str>,
    perms: Vec<&'static str>,
    /// The related block through `parent`, if any.
    parent: Option<Cls>,
}

/// Variables of one clause. References are written as placeholders and named at the end,
/// when it is known which ones occur once (those get a leading `_`, as Oso requires).
#[derive(Default)]
struct Clause {
    names: Vec<String>,
    /// For variables of type [`Ty::Dyn`]: the type their values have when the clause is
    /// called as its rule's signature says. Once the compiler inlines a call, the compiled
    /// code knows that type, and comparing with another type is a build error (rustc's),
    /// although Oso would just fail: such values are compared only with values of this type.
    declared: Vec<Ty>,
}

impl Clause {
    fn fresh(&mut self, base: &str) -> usize {
        let id = self.names.len();
        self.names.push(format!("{base}{id}"));
        self.declared.push(Ty::Dyn);
        id
    }

    fn finish(&self, text: &str) -> String {
        let mut counts = vec![0usize; self.names.len()];
        for_each_placeholder(text, |id| counts[id] += 1);
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1}' {
                let digits: String = chars.by_ref().take_while(|c| *c != '\u{2}').collect();
                let id: usize = digits.parse().expect("placeholder");
                if counts[id] == 1 {
                    out.push('_');
                }
                out.push_str(&self.names[id]);
            } else {
                out.push(c);
            }
        }
        out
    }
}

fn for_each_placeholder(text: &str, mut f: impl FnMut(usize)) {
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1}' {
            let digits: String = chars.by_ref().take_while(|c| *c != '\u{2}').collect();
            f(digits.parse().expect("placeholder"));
        }
    }
}

/// Adds `v`, known only at run time, whose values are of type `declared`.
fn dyn_var(cl: &mut Clause, scope: &mut Scope, v: usize, declared: Ty) {
    cl.declared[v] = declared;
    scope.push((v, Ty::Dyn));
}

fn var(id: usize) -> String {
    format!("\u{1}{id}\u{2}")
}

/// The variables in scope at a point of a clause body, with their static types.
type Scope = Vec<(usize, Ty)>;

struct Gen {
    rng: Rng,
    /// Rules that may be called, in the order they are generated: a helper rule calls only
    /// rules after it (so that the only recursion is the deliberate, well-founded kind).
    sigs: Vec<Sig>,
    features: BTreeSet<&'static str>,
    blocks: Vec<Block>,
}

fn quote(s: impl AsRef<str>) -> String {
    format!("{:?}", s.as_ref())
}

impl Gen {
    fn feature(&mut self, name: &'static str) {
        self.features.insert(name);
    }

    // ---- the policy ------------------------------------------------------------------

    fn policy(&mut self) -> String {
        let mut out = String::new();
        let mut rules: Vec<String> = Vec::new();

        // Resource blocks first: they fix the callable `has_role` / `has_permission`.
        if self.rng.chance(40) {
            self.feature("resource blocks");
            out.push_str(&self.resource_blocks());
        }

        // Helper signatures, then the recursive templates (callable by every helper).
        let helpers = self.rng.range(0, 4);
        let mut helper_sigs = Vec::new();
        for i in 0..helpers {
            helper_sigs.push(self.helper_sig(i));
        }
        let mut templates = Vec::new();
        if self.rng.chance(35) {
            let k = self.rng.below(3);
            templates.push(self.recursive_template(k, &mut rules));
        }
        // Callable: helpers (in order), then templates, then the block rules.
        let block_sigs = self.block_sigs();
        let mut all = helper_sigs.clone();
        all.extend(templates.iter().cloned());
        all.extend(block_sigs);
        self.sigs = all;

        for (i, sig) in helper_sigs.iter().enumerate() {
            let clauses = self.rng.range(1, 4);
            for _ in 0..clauses {
                // Helper `i` may call helpers after it, the templates and the block rules.
                let callable: Vec<usize> = ((i + 1)..self.sigs.len()).collect();
                let clause = self.clause(&sig.name, &sig.params, sig.out, &callable, false);
                rules.push(clause);
            }
        }

        let allows = self.rng.range(2, 6);
        let callable: Vec<usize> = (0..self.sigs.len()).collect();
        for _ in 0..allows {
            let actor = if self.rng.chance(85) { Cls::User } else { Cls::Org };
            let resource = *self.rng.pick(RESOURCES);
            let clause = self.clause(
                "allow",
                &[Ty::Class(actor), Ty::Str, Ty::Class(resource)],
                None,
                &callable,
                true,
            );
            rules.push(clause);
        }
        if !self.blocks.is_empty() {
            rules.push("allow(actor, action, resource) if has_permission(actor, action, resource);".into());
        }

        // Clause order matters (Oso's order among equally specific clauses is the source
        // order): shuffle a little, but keep everything deterministic.
        for i in (1..rules.len()).rev() {
            if self.rng.chance(30) {
                let j = self.rng.below(i + 1);
                rules.swap(i, j);
            }
        }
        for rule in rules {
            out.push_str(&rule);
            out.push('\n');
        }
        out
    }

    // ---- resource blocks -------------------------------------------------------------

    fn resource_blocks(&mut self) -> String {
        let mut out = String::from("actor User {}\n");
        // Org, then Repo (parent: Org), then Doc (parent: Repo); a block needs its parent.
        let with_repo = self.rng.chance(80);
        let with_doc = with_repo && self.rng.chance(50);
        let mut classes = vec![Cls::Org];
        if with_repo {
            classes.push(Cls::Repo);
        }
        if with_doc {
            classes.push(Cls::Doc);
        }
        for cls in classes {
            let parent = match cls {
                Cls::Repo => Some(Cls::Org),
                Cls::Doc => Some(Cls::Repo),
                _ => None,
            };
            let mut roles: Vec<&'static str> = Vec::new();
            let n_roles = if cls == Cls::Doc { self.rng.range(0, 2) } else { self.rng.range(1, 3) };
            while roles.len() < n_roles {
                let r = *self.rng.pick(ROLES);
                if !roles.contains(&r) {
                    roles.push(r);
                }
            }
            let mut perms: Vec<&'static str> = Vec::new();
            let n_perms = self.rng.range(1, 3);
            while perms.len() < n_perms {
                let p = *self.rng.pick(ACTIONS);
                if !perms.contains(&p) {
                    perms.push(p);
                }
            }
            self.blocks.push(Block { cls, roles, perms, parent });
        }

        for b in self.blocks.clone() {
            let _ = writeln!(out, "resource {} {{", b.cls.name());
            if !b.roles.is_empty() {
                let roles: Vec<String> = b.roles.iter().map(quote).collect();
                let _ = writeln!(out, "  roles = [{}];", roles.join(", "));
            }
            let perms: Vec<String> = b.perms.iter().map(quote).collect();
            let _ = writeln!(out, "  permissions = [{}];", perms.join(", "));
            let parent = b.parent.and_then(|p| self.blocks.iter().find(|x| x.cls == p).cloned());
            if let Some(p) = &parent {
                let _ = writeln!(out, "  relations = {{ parent: {} }};", p.cls.name());
            }
            // Shorthand rules: a permission or role implied by a local role, or by a role
            // or permission of the parent. Roles imply only roles declared before them, so
            // that implications never form a cycle.
            for (i, head) in b
                .perms
                .iter()
                .map(|p| (None, *p))
                .chain(b.roles.iter().enumerate().map(|(i, r)| (Some(i), *r)))
            {
                // Every permission is granted somehow: `has_permission` must be defined.
                let n = self.rng.range(usize::from(i.is_none()), 2);
                for _ in 0..n {
                    let local: Vec<&str> = match i {
                        None => b.roles.clone(),
                        Some(i) => b.roles[i + 1..].to_vec(),
                    };
                    let on_parent = parent.as_ref().map(|p| {
                        // A permission may come from a parent's permission, a role only from a role.
                        let mut terms = p.roles.clone();
                        if i.is_none() {
                            terms.extend(p.perms.iter().copied());
                        }
                        terms
                    });
                    let use_parent = on_parent.as_ref().is_some_and(|t| !t.is_empty())
                        && (local.is_empty() || self.rng.chance(40));
                    if use_parent {
                        let terms = on_parent.unwrap();
                        let t = *self.rng.pick(&terms);
                        self.feature("shorthand on relation");
                        let _ = writeln!(out, "  {} if {} on \"parent\";", quote(head), quote(t));
                    } else if !local.is_empty() {
                        let t = *self.rng.pick(&local);
                        self.feature("shorthand rule");
                        let _ = writeln!(out, "  {} if {};", quote(head), quote(t));
                    }
                }
            }
            out.push_str("}\n");
        }

        for b in self.blocks.clone() {
            if !b.roles.is_empty() {
                let v = b.cls.name().to_lowercase();
                // A role's `res` names the resource (a document by its title).
                let id = if b.cls == Cls::Doc { "title" } else { "name" };
                if self.rng.chance(50) {
                    let _ = writeln!(
                        out,
                        "has_role(user: User, name: String, {v}: {}) if role in user.roles and role.name = name and role.res = {v}.{id};",
                        b.cls.name()
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "has_role(user: User, name: String, {v}: {}) if role in user.roles and role matches {{name: name, res: {v}.{id}}};",
                        b.cls.name()
                    );
                }
            }
            if let Some(p) = b.parent {
                let (pv, cv) = (p.name().to_lowercase(), b.cls.name().to_lowercase());
                let field = if b.cls == Cls::Repo { "org" } else { "repo" };
                let _ = writeln!(
                    out,
                    "has_relation({pv}: {}, \"parent\", {cv}: {}) if {pv} = {cv}.{field};",
                    p.name(),
                    b.cls.name()
                );
            }
        }
        // Oso requires `has_role` when any block declares roles; a block without roles
        // and a policy where only Doc has none are fine.
        out
    }

    fn block_sigs(&self) -> Vec<Sig> {
        let mut sigs = Vec::new();
        for b in &self.blocks {
            if !b.roles.is_empty() {
                sigs.push(Sig {
                    name: "has_role".into(),
                    params: vec![Ty::Class(Cls::User), Ty::Str, Ty::Class(b.cls)],
                    out: None,
                });
            }
            sigs.push(Sig {
                name: "has_permission".into(),
                params: vec![Ty::Class(Cls::User), Ty::Str, Ty::Class(b.cls)],
                out: None,
            });
        }
        sigs
    }

    // ---- helper rules ----------------------------------------------------------------

    fn helper_sig(&mut self, i: usize) -> Sig {
        let n = self.rng.range(1, 3);
        let mut params = Vec::new();
        for _ in 0..n {
            params.push(self.param_ty());
        }
        let out = if self.rng.chance(35) {
            let ty =
                *self.rng.pick(&[Ty::Str, Ty::Int, Ty::Class(Cls::Org), Ty::Float, Ty::Class(Cls::Repo)]);
            // An instance output comes from a field of the first parameter, which every
            // clause then specializes (see `clause`).
            match ty {
                Ty::Class(Cls::Org) => {
                    params[0] = Ty::Class(*self.rng.pick(&[Cls::User, Cls::Repo, Cls::Doc]))
                }
                Ty::Class(_) => params[0] = Ty::Class(Cls::Doc),
                _ => {}
            }
            params.push(ty);
            Some(params.len() - 1)
        } else {
            None
        };
        Sig { name: format!("h{i}"), params, out }
    }

    fn param_ty(&mut self) -> Ty {
        match self.rng.weighted(&[14, 6, 6, 4, 5, 5, 2, 2, 2]) {
            0 => Ty::Class(Cls::User),
            1 => Ty::Class(Cls::Org),
            2 => Ty::Class(Cls::Repo),
            3 => Ty::Class(Cls::Doc),
            4 => Ty::Str,
            5 => Ty::Int,
            6 => Ty::Float,
            7 => Ty::List(Elem::Str),
            _ => Ty::Bool,
        }
    }

    /// A recursive rule from a template: well-founded, so that Oso and the compiled code
    /// both end (Oso has no loop detection; deep recursion is an error on both sides).
    fn recursive_template(&mut self, k: usize, rules: &mut Vec<String>) -> Sig {
        let name = format!("rec{k}");
        match self.rng.below(3) {
            0 => {
                // A countdown with a condition on an extra argument at each level.
                self.feature("recursion: countdown");
                let cls = *self.rng.pick(&[Cls::User, Cls::Doc, Cls::Repo]);
                let params = [Ty::Int, Ty::Class(cls)];
                let cut = if self.rng.chance(30) { "cut and " } else { "" };
                if !cut.is_empty() {
                    self.feature("cut");
                }
                // Base clause.
                let mut cl = Clause::default();
                let n = cl.fresh("n");
                let x = cl.fresh("x");
                let mut scope: Scope = vec![(x, Ty::Class(cls))];
                let base = self.conj(&mut cl, &mut scope, 1, 2, &[]);
                let text = format!(
                    "{name}({}: Integer, {}: {}) if {} <= 0 and {cut}{};",
                    var(n),
                    var(x),
                    cls.name(),
                    var(n),
                    base.join(" and ")
                );
                rules.push(cl.finish(&text));
                // Step clause.
                let mut cl = Clause::default();
                let n = cl.fresh("n");
                let x = cl.fresh("x");
                let mut scope: Scope = vec![(x, Ty::Class(cls)), (n, Ty::Int)];
                let step = if self.rng.chance(60) {
                    format!("{} and ", self.conj(&mut cl, &mut scope, 1, 2, &[]).join(" and "))
                } else {
                    String::new()
                };
                let text = format!(
                    "{name}({}: Integer, {}: {}) if {} > 0 and {step}{name}({} - 1, {});",
                    var(n),
                    var(x),
                    cls.name(),
                    var(n),
                    var(n),
                    var(x)
                );
                rules.push(cl.finish(&text));
                Sig { name, params: params.to_vec(), out: None }
            }
            1 => {
                // Mutual recursion: even/odd countdown.
                self.feature("recursion: mutual");
                let odd = format!("{name}_odd");
                let mut cl = Clause::default();
                let n = cl.fresh("n");
                rules.push(cl.finish(&format!("{name}({}: Integer) if {} = 0;", var(n), var(n))));
                let mut cl = Clause::default();
                let n = cl.fresh("n");
                rules.push(cl.finish(&format!(
                    "{name}({}: Integer) if {} > 0 and {odd}({} - 1);",
                    var(n),
                    var(n),
                    var(n)
                )));
                let mut cl = Clause::default();
                let n = cl.fresh("n");
                rules.push(cl.finish(&format!(
                    "{odd}({}: Integer) if {} > 0 and {name}({} - 1);",
                    var(n),
                    var(n),
                    var(n)
                )));
                Sig { name, params: vec![Ty::Int], out: None }
            }
            _ => {
                // A walk down a list with a rest pattern: `y` is an element.
                self.feature("recursion: list walk");
                self.feature("list pattern parameter");
                let elem = *self.rng.pick(&[Elem::Str, Elem::Int]);
                let mut cl = Clause::default();
                let x = cl.fresh("x");
                let y = cl.fresh("y");
                let rest = cl.fresh("rest");
                let cond = match self.rng.below(3) {
                    0 => format!("{} = {}", var(x), var(y)),
                    1 => {
                        self.feature("cut");
                        format!("{} = {} and cut", var(x), var(y))
                    }
                    _ => format!("{} = {} or {} = {}", var(x), var(y), var(x), self.lit(elem.ty())),
                };
                let cond = if cond.contains(" or ") { format!("({cond})") } else { cond };
                rules.push(cl.finish(&format!(
                    "{name}([{}, *{}], {}) if {cond};",
                    var(x),
                    var(rest),
                    var(y)
                )));
                let mut cl = Clause::default();
                let rest = cl.fresh("rest");
                let y = cl.fresh("y");
                rules.push(cl.finish(&format!(
                    "{name}([_, *{}], {}) if {name}({}, {});",
                    var(rest),
                    var(y),
                    var(rest),
                    var(y)
                )));
                Sig { name, params: vec![Ty::List(elem), elem.ty()], out: None }
            }
        }
    }

    // ---- clauses ---------------------------------------------------------------------

    /// One clause of `name` with parameters of types `params`; `out` is the parameter every
    /// clause binds; `callable` are indices into `self.sigs`.
    fn clause(
        &mut self,
        name: &str,
        params: &[Ty],
        out: Option<usize>,
        callable: &[usize],
        allow: bool,
    ) -> String {
        let mut cl = Clause::default();
        let mut scope: Scope = Vec::new();
        let mut heads = Vec::new();
        let mut out_var = None;
        for (i, ty) in params.iter().enumerate() {
            if Some(i) == out {
                if self.rng.chance(15) && ty.is_scalar() {
                    // A fact-like clause: the output is a literal in the head.
                    heads.push(self.lit(*ty));
                } else {
                    let v = cl.fresh("out");
                    heads.push(var(v));
                    out_var = Some((v, *ty));
                }
                continue;
            }
            let head = if allow && i == 1 {
                self.action_param(&mut cl, &mut scope)
            } else if i == 0 && out.is_some_and(|o| matches!(params[o], Ty::Class(_))) {
                let Ty::Class(c) = ty else { unreachable!("see helper_sig") };
                let v = cl.fresh(&c.name()[..1].to_lowercase());
                scope.push((v, *ty));
                format!("{}: {}", var(v), c.name())
            } else {
                self.head_param(&mut cl, &mut scope, *ty, allow)
            };
            heads.push(head);
        }

        let n = self.rng.weighted(&[3, 30, 30, 20, 10]);
        let mut goals = self.conj(&mut cl, &mut scope, n, 0, callable);
        if !goals.is_empty() && self.rng.chance(12) {
            let at = self.rng.below(goals.len() + 1);
            goals.insert(at, "cut".into());
            self.feature("cut");
        }
        if let Some((v, ty)) = out_var {
            goals.push(self.bind_output(&scope, v, ty));
        }
        let head = format!("{name}({})", heads.join(", "));
        let text =
            if goals.is_empty() { format!("{head};") } else { format!("{head} if {};", goals.join(" and ")) };
        cl.finish(&text)
    }

    fn action_param(&mut self, cl: &mut Clause, scope: &mut Scope) -> String {
        match self.rng.weighted(&[80, 10, 10]) {
            0 => quote(self.rng.pick(ACTIONS)),
            1 => {
                self.feature("unspecialized parameter");
                let v = cl.fresh("action");
                dyn_var(cl, scope, v, Ty::Str);
                var(v)
            }
            _ => {
                self.feature("built-in specializer");
                let v = cl.fresh("action");
                scope.push((v, Ty::Str));
                format!("{}: String", var(v))
            }
        }
    }

    fn head_param(&mut self, cl: &mut Clause, scope: &mut Scope, ty: Ty, allow: bool) -> String {
        match ty {
            Ty::Class(c) => {
                let base = &c.name()[..1].to_lowercase();
                let v = cl.fresh(base);
                let w = if allow { [66, 12, 6, 6, 6] } else { [55, 12, 6, 15, 6] };
                match self.rng.weighted(&w) {
                    0 => {
                        scope.push((v, ty));
                        format!("{}: {}", var(v), c.name())
                    }
                    1 => {
                        self.feature("instance pattern specializer");
                        scope.push((v, ty));
                        let pat = self.field_pattern(cl, scope, c, false);
                        format!("{}: {}{{{pat}}}", var(v), c.name())
                    }
                    2 => {
                        self.feature("dictionary pattern specializer");
                        // The compiled rule does not know the class: fields by name.
                        dyn_var(cl, scope, v, ty);
                        let pat = self.field_pattern(cl, scope, c, true);
                        format!("{}: {{{pat}}}", var(v))
                    }
                    3 => {
                        self.feature("unspecialized parameter");
                        dyn_var(cl, scope, v, ty);
                        var(v)
                    }
                    _ => {
                        // A union when blocks exist (`Actor`: the actor block's `User`;
                        // `Resource`: every block's class), else the class again.
                        let resource = self.blocks.iter().any(|b| b.cls == c);
                        if !self.blocks.is_empty() && (c == Cls::User || resource) {
                            self.feature("union specializer");
                            dyn_var(cl, scope, v, ty);
                            let union =
                                if c == Cls::User && self.rng.chance(70) { "Actor" } else { "Resource" };
                            format!("{}: {union}", var(v))
                        } else {
                            scope.push((v, ty));
                            format!("{}: {}", var(v), c.name())
                        }
                    }
                }
            }
            Ty::Str | Ty::Int | Ty::Float | Ty::Bool => {
                let builtin = match ty {
                    Ty::Str => "String",
                    Ty::Int => "Integer",
                    Ty::Float => "Float",
                    _ => "Boolean",
                };
                match self.rng.weighted(&[45, 25, 30]) {
                    0 => {
                        self.feature("built-in specializer");
                        let v = cl.fresh("v");
                        scope.push((v, ty));
                        format!("{}: {builtin}", var(v))
                    }
                    1 => {
                        self.feature("unspecialized parameter");
                        let v = cl.fresh("v");
                        dyn_var(cl, scope, v, ty);
                        var(v)
                    }
                    _ => {
                        self.feature("literal parameter");
                        self.lit(ty)
                    }
                }
            }
            Ty::List(elem) => match self.rng.below(4) {
                // Elements of a list parameter are seen through the list's view: their type
                // is known only at run time.
                0 => {
                    self.feature("list pattern parameter");
                    let h = cl.fresh("h");
                    let t = cl.fresh("t");
                    dyn_var(cl, scope, h, elem.ty());
                    format!("[{}, *{}]", var(h), var(t))
                }
                1 => {
                    self.feature("list pattern parameter");
                    "[]".into()
                }
                2 => {
                    self.feature("list pattern parameter");
                    let h = cl.fresh("h");
                    dyn_var(cl, scope, h, elem.ty());
                    format!("[{}]", var(h))
                }
                _ => {
                    let v = cl.fresh("l");
                    dyn_var(cl, scope, v, ty);
                    var(v)
                }
            },
            _ => {
                let v = cl.fresh("v");
                dyn_var(cl, scope, v, ty);
                var(v)
            }
        }
    }

    /// `field: literal` (or `field: variable`, bound for the body) for a pattern on `c`.
    /// `dynamic`: a dictionary pattern, whose fields the compiled code looks up by name, so
    /// that the variables it binds have no static type.
    fn field_pattern(&mut self, cl: &mut Clause, scope: &mut Scope, c: Cls, dynamic: bool) -> String {
        let scalars: Vec<(&str, Ty)> = fields(c).filter(|(_, t)| t.is_scalar()).collect();
        let n = self.rng.range(1, 2.min(scalars.len()));
        let mut used = Vec::new();
        let mut parts = Vec::new();
        for _ in 0..n {
            let (f, t) = *self.rng.pick(&scalars);
            if used.contains(&f) {
                continue;
            }
            used.push(f);
            if self.rng.chance(25) {
                let v = cl.fresh(f);
                if dynamic {
                    dyn_var(cl, scope, v, t)
                } else {
                    scope.push((v, t))
                }
                parts.push(format!("{f}: {}", var(v)));
            } else {
                parts.push(format!("{f}: {}", self.lit(t)));
            }
        }
        parts.join(", ")
    }

    fn bind_output(&mut self, scope: &Scope, v: usize, ty: Ty) -> String {
        // `out in list` for strings and integers sometimes: several solutions.
        if matches!(ty, Ty::Str | Ty::Int) && self.rng.chance(25) {
            let elem = if ty == Ty::Str { Elem::Str } else { Elem::Int };
            if let Some(list) = self.list_value(scope, elem) {
                self.feature("call binding an output (several solutions)");
                return format!("{} in {list}", var(v));
            }
        }
        let value = self.value(scope, ty, 1, true).unwrap_or_else(|| self.lit_or_default(ty));
        format!("{} = {value}", var(v))
    }

    fn lit_or_default(&mut self, ty: Ty) -> String {
        if ty.is_scalar() { self.lit(ty) } else { "nil".into() }
    }

    // ---- bodies ----------------------------------------------------------------------

    /// `n` goals in conjunction; each may bind variables for the goals after it.
    fn conj(
        &mut self,
        cl: &mut Clause,
        scope: &mut Scope,
        n: usize,
        depth: u32,
        callable: &[usize],
    ) -> Vec<String> {
        (0..n).map(|_| self.goal(cl, scope, depth, callable)).collect()
    }

    fn goal(&mut self, cl: &mut Clause, scope: &mut Scope, depth: u32, callable: &[usize]) -> String {
        let nested = depth < 2;
        let has_dyn = scope.iter().any(|(_, t)| *t == Ty::Dyn);
        let weights = [
            28,                                       // 0 comparison
            8,                                        // 1 boolean condition
            8,                                        // 2 `in` test
            12,                                       // 3 `in` binding
            6,                                        // 4 `:=` / `=` binding
            6,                                        // 5 matches
            3,                                        // 6 nil
            if nested { 6 } else { 0 },               // 7 not
            if nested { 7 } else { 0 },               // 8 or
            if nested { 4 } else { 0 },               // 9 forall
            if callable.is_empty() { 0 } else { 12 }, // 10 ground call
            if callable.is_empty() { 0 } else { 6 },  // 11 call binding an output
            4,                                        // 12 list pattern
            2,                                        // 13 dictionary literal
            if has_dyn { 6 } else { 0 },              // 14 run-time typed value
            2,                                        // 15 arithmetic binding
        ];
        for _ in 0..8 {
            let kind = self.rng.weighted(&weights);
            let goal = match kind {
                0 => self.comparison(scope),
                1 => self.condition(scope),
                2 => self.in_test(scope),
                3 => self.in_binding(cl, scope),
                4 => self.binding(cl, scope),
                5 => self.matches(cl, scope),
                6 => self.nil_check(scope),
                7 => {
                    self.feature("not");
                    let mut inner = scope.clone();
                    let n = self.rng.range(1, 2);
                    let goals = self.conj(cl, &mut inner, n, depth + 1, callable);
                    Some(format!("not ({})", goals.join(" and ")))
                }
                8 => {
                    self.feature("or");
                    let branches = self.rng.range(2, 3);
                    let mut parts = Vec::new();
                    for _ in 0..branches {
                        let mut inner = scope.clone();
                        let n = self.rng.range(1, 2);
                        let goals = self.conj(cl, &mut inner, n, depth + 1, callable);
                        // A branch may be a conjunction (some goals come with one): Oso warns
                        // about `and` inside `or` without parentheses.
                        let g = goals.join(" and ");
                        parts.push(if g.contains(" and ") { format!("({g})") } else { g });
                    }
                    Some(format!("({})", parts.join(" or ")))
                }
                9 => self.forall(cl, scope, depth, callable),
                10 => self.call(cl, scope, callable, false),
                11 => self.call(cl, scope, callable, true),
                12 => self.list_pattern(cl, scope),
                13 => self.dict_literal(cl, scope),
                14 => self.dyn_goal(cl, scope),
                _ => self.arith_binding(cl, scope),
            };
            if let Some(goal) = goal {
                return goal;
            }
        }
        // Something always fits: a comparison of a literal with itself would be dull,
        // compare a literal with a literal of another value instead.
        format!("{} < {}", self.lit(Ty::Int), self.lit(Ty::Int))
    }

    /// A comparison (or unification) of two values of compatible static types.
    fn comparison(&mut self, scope: &Scope) -> Option<String> {
        const ALL: &[&str] = &["=", "==", "!=", "<", "<=", ">", ">="];
        match self.rng.weighted(&[40, 35, 8, 12, 3]) {
            0 => {
                let lt = if self.rng.chance(75) { Ty::Int } else { Ty::Float };
                let rt = if self.rng.chance(75) { Ty::Int } else { Ty::Float };
                let lhs = self.value(scope, lt, 0, false)?;
                let rhs = self.value(scope, rt, 0, true)?;
                let op = *self.rng.pick(ALL);
                self.feature("comparison of numbers");
                if lt != rt {
                    self.feature("integer with float");
                }
                Some(self.ordered(lhs, op, rhs))
            }
            1 => {
                let lhs = self.value(scope, Ty::Str, 0, false)?;
                let rhs = self.value(scope, Ty::Str, 0, true)?;
                let op = *self.rng.pick(&["=", "=", "=", "==", "!=", "<", ">="]);
                self.feature("comparison of strings");
                Some(self.ordered(lhs, op, rhs))
            }
            2 => {
                let lhs = self.value(scope, Ty::Bool, 0, false)?;
                let rhs = self.value(scope, Ty::Bool, 0, true)?;
                let op = *self.rng.pick(&["=", "==", "!="]);
                self.feature("comparison of booleans");
                Some(self.ordered(lhs, op, rhs))
            }
            3 => {
                let cls = *self.rng.pick(&[Cls::Org, Cls::Repo, Cls::User]);
                let lhs = self.value(scope, Ty::Class(cls), 0, false)?;
                let rhs = self.value(scope, Ty::Class(cls), 0, false)?;
                if lhs == rhs {
                    return None;
                }
                let op = *self.rng.pick(&["=", "=", "=="]);
                self.feature("instance equality");
                Some(format!("{lhs} {op} {rhs}"))
            }
            _ => {
                // A boolean against a number with `==`: 0 and 1.
                let lhs = self.value(scope, Ty::Bool, 0, false)?;
                let rhs = self.lit(Ty::Int);
                self.feature("boolean with number");
                Some(format!("{lhs} == {rhs}"))
            }
        }
    }

    /// `lhs op rhs`, sides swapped at random.
    fn ordered(&mut self, lhs: String, op: &str, rhs: String) -> String {
        if self.rng.chance(30) { format!("{rhs} {op} {lhs}") } else { format!("{lhs} {op} {rhs}") }
    }

    fn condition(&mut self, scope: &Scope) -> Option<String> {
        let b = self.value(scope, Ty::Bool, 0, false)?;
        self.feature("boolean condition");
        Some(if self.rng.chance(30) {
            self.feature("not");
            format!("not {b}")
        } else {
            b
        })
    }

    fn in_test(&mut self, scope: &Scope) -> Option<String> {
        match self.rng.below(4) {
            0 | 1 => {
                let elem = *self.rng.pick(&[Elem::Str, Elem::Str, Elem::Int]);
                let list = self.list_value(scope, elem)?;
                let item = self.value(scope, elem.ty(), 1, true)?;
                self.feature("in (test)");
                Some(format!("{} in {list}", paren_arith(&item)))
            }
            2 => {
                // A character of a string.
                let s = self.value(scope, Ty::Str, 1, false)?;
                self.feature("in over a string");
                Some(format!("{} in {s}", quote(self.rng.pick(&["a", "b", "n", ""]))))
            }
            _ => {
                let o = self.path_of(scope, Ty::OptStr)?;
                let item = self.value(scope, Ty::Str, 1, true)?;
                self.feature("in over an option");
                Some(format!("{item} in {o}"))
            }
        }
    }

    fn in_binding(&mut self, cl: &mut Clause, scope: &mut Scope) -> Option<String> {
        match self.rng.weighted(&[70, 10, 10, 10]) {
            0 => {
                let elem = *self.rng.pick(&[Elem::Str, Elem::Str, Elem::Int, Elem::Role]);
                let list = self.list_value(scope, elem)?;
                let v = cl.fresh(if elem == Elem::Role { "role" } else { "x" });
                scope.push((v, elem.ty()));
                self.feature("in (binding)");
                // The element is usually used right away.
                let mut goal = format!("{} in {list}", var(v));
                if self.rng.chance(70)
                    && let Some(g) = self.use_var(scope, v, elem.ty())
                {
                    goal = format!("{goal} and {g}");
                }
                Some(goal)
            }
            1 => {
                let s = self.value(scope, Ty::Str, 1, false)?;
                let v = cl.fresh("c");
                scope.push((v, Ty::Str));
                self.feature("in over a string");
                Some(format!("{} in {s}", var(v)))
            }
            2 => {
                let o = self.path_of(scope, Ty::OptStr)?;
                let v = cl.fresh("o");
                scope.push((v, Ty::Str));
                self.feature("in over an option");
                Some(format!("{} in {o}", var(v)))
            }
            _ => {
                // A list literal of values.
                let elem = *self.rng.pick(&[Ty::Str, Ty::Int]);
                let n = self.rng.range(1, 3);
                let mut items = Vec::new();
                for _ in 0..n {
                    items.push(self.value(scope, elem, 1, true)?);
                }
                let v = cl.fresh("x");
                scope.push((v, elem));
                self.feature("in over a list literal");
                Some(format!("{} in [{}]", var(v), items.join(", ")))
            }
        }
    }

    /// A goal that uses variable `v` of type `ty`.
    fn use_var(&mut self, scope: &Scope, v: usize, ty: Ty) -> Option<String> {
        match ty {
            Ty::Class(Cls::Role) => {
                let f = *self.rng.pick(&["name", "res"]);
                let rhs = self.value(scope, Ty::Str, 0, true)?;
                self.feature("comparison of strings");
                Some(format!("{}.{f} = {rhs}", var(v)))
            }
            Ty::Str | Ty::Int => {
                let rhs = self.value(scope, ty, 0, true)?;
                let op = *self.rng.pick(&["=", "=", "!=", "<", ">="]);
                Some(format!("{} {op} {rhs}", var(v)))
            }
            _ => None,
        }
    }

    fn binding(&mut self, cl: &mut Clause, scope: &mut Scope) -> Option<String> {
        let ty = *self.rng.pick(&[Ty::Str, Ty::Int, Ty::Int, Ty::Float, Ty::Bool, Ty::Class(Cls::Org)]);
        let value = self.value(scope, ty, 0, false)?;
        let v = cl.fresh("b");
        scope.push((v, ty));
        let op = if self.rng.chance(50) { ":=" } else { "=" };
        self.feature(if op == ":=" { ":= binding" } else { "= binding" });
        let mut goal = format!("{} {op} {value}", var(v));
        if let Some(g) = self.use_var(scope, v, ty) {
            goal = format!("{goal} and {g}");
        }
        Some(goal)
    }

    fn arith_binding(&mut self, cl: &mut Clause, scope: &mut Scope) -> Option<String> {
        let a = self.value(scope, Ty::Int, 1, false)?;
        let b = self.value(scope, Ty::Int, 1, true)?;
        let op = *self.rng.pick(&["+", "-", "*", "mod", "rem"]);
        let v = cl.fresh("n");
        scope.push((v, Ty::Int));
        self.feature("arithmetic");
        let rhs = self.value(scope, Ty::Int, 0, true)?;
        let cmp = *self.rng.pick(&["=", ">", "<=", "!="]);
        Some(format!("{} := {} {op} {} and {} {cmp} {rhs}", var(v), paren_arith(&a), paren_arith(&b), var(v)))
    }

    fn matches(&mut self, cl: &mut Clause, scope: &mut Scope) -> Option<String> {
        match self.rng.below(5) {
            0 | 1 => {
                let cls = *self.rng.pick(&[Cls::User, Cls::Org, Cls::Repo, Cls::Doc]);
                let v = self.value(scope, Ty::Class(cls), 0, false)?;
                let pat = if self.rng.chance(60) {
                    self.feature("matches instance pattern");
                    let instance = self.rng.chance(70);
                    // The value is typed (`value(.., false)` gives no dynamic one): so are the
                    // variables a dictionary pattern binds from its fields, and a later
                    // `x.field` on one is a build error, not Oso's run-time error.
                    let fields = self.field_pattern(cl, scope, cls, false);
                    if instance {
                        format!("{}{{{fields}}}", cls.name())
                    } else {
                        self.feature("matches dictionary pattern");
                        format!("{{{fields}}}")
                    }
                } else {
                    self.feature("matches class");
                    cls.name().to_string()
                };
                Some(format!("{v} matches {pat}"))
            }
            2 => {
                let ty = *self.rng.pick(&[Ty::Str, Ty::Int, Ty::Float, Ty::Bool]);
                let v = self.value(scope, ty, 0, false)?;
                let class = *self.rng.pick(&["String", "Integer", "Float", "Boolean"]);
                self.feature("matches built-in class");
                let own = matches!(
                    (ty, class),
                    (Ty::Str, "String") | (Ty::Int, "Integer") | (Ty::Float, "Float") | (Ty::Bool, "Boolean")
                );
                // Another class only inside `not` (see `dyn_goal`).
                let not = if own { "" } else { "not " };
                Some(format!("{not}{} matches {class}", paren_arith(&v)))
            }
            3 => {
                let m = self.path_of(scope, Ty::Map)?;
                self.feature("matches dictionary pattern");
                let key = *self.rng.pick(KEYS);
                if self.rng.chance(50) {
                    Some(format!("{m} matches {{{key}: {}}}", self.lit(Ty::Int)))
                } else {
                    let v = cl.fresh("m");
                    scope.push((v, Ty::Int));
                    Some(format!("{m} matches Dictionary{{{key}: {}}}", var(v)))
                }
            }
            _ => {
                let elem = *self.rng.pick(&[Elem::Str, Elem::Int]);
                let l = self.list_value(scope, elem)?;
                self.feature("matches list pattern");
                if l.starts_with('[') {
                    // The element type of a list literal may be none at all (`[]`).
                    return Some(format!("{l} matches [_, *_]"));
                }
                let h = cl.fresh("h");
                scope.push((h, elem.ty()));
                Some(format!("{l} matches [{}, *_]", var(h)))
            }
        }
    }

    fn nil_check(&mut self, scope: &Scope) -> Option<String> {
        let o = self.path_of(scope, Ty::OptStr)?;
        self.feature("nil");
        Some(match self.rng.below(3) {
            0 => format!("{o} = nil"),
            1 => format!("not {o} = nil"),
            _ => format!("nil = {o}"),
        })
    }

    fn forall(&mut self, cl: &mut Clause, scope: &Scope, depth: u32, callable: &[usize]) -> Option<String> {
        let elem = *self.rng.pick(&[Elem::Str, Elem::Int, Elem::Role]);
        let list = self.list_value(scope, elem)?;
        let v = cl.fresh("e");
        let mut inner = scope.clone();
        inner.push((v, elem.ty()));
        let body = match self.use_var(&inner, v, elem.ty()) {
            Some(g) if self.rng.chance(70) => g,
            _ => {
                let n = self.rng.range(1, 2);
                self.conj(cl, &mut inner, n, depth + 1, callable).join(" and ")
            }
        };
        self.feature("forall");
        Some(format!("forall({} in {list}, {body})", var(v)))
    }

    fn call(&mut self, cl: &mut Clause, scope: &mut Scope, callable: &[usize], bind: bool) -> Option<String> {
        let candidates: Vec<usize> =
            callable.iter().copied().filter(|i| !bind || self.sigs[*i].out.is_some()).collect();
        if candidates.is_empty() {
            return None;
        }
        let sig = self.sigs[*self.rng.pick(&candidates)].clone();
        let mut args = Vec::new();
        let mut bound = None;
        for (i, ty) in sig.params.iter().enumerate() {
            if bind && Some(i) == sig.out {
                let v = cl.fresh("r");
                args.push(var(v));
                bound = Some((v, *ty));
                continue;
            }
            let arg = match *ty {
                Ty::Str if sig.name.starts_with("has_") && i == 1 => {
                    let pool: Vec<&str> = if sig.name == "has_role" {
                        self.blocks.iter().flat_map(|b| b.roles.iter().copied()).collect()
                    } else {
                        self.blocks.iter().flat_map(|b| b.perms.iter().copied()).collect()
                    };
                    quote(self.rng.pick(&pool))
                }
                Ty::List(elem) => self.list_value(scope, elem)?,
                ty => {
                    // Occasionally a value known only at run time, where one is in scope.
                    let dyns: Vec<usize> = scope
                        .iter()
                        .filter(|(v, t)| *t == Ty::Dyn && cl.declared[*v] == ty)
                        .map(|(v, _)| *v)
                        .collect();
                    if !dyns.is_empty() && self.rng.chance(25) {
                        var(*self.rng.pick(&dyns))
                    } else {
                        let allow_lit = ty.is_scalar();
                        self.value(scope, ty, 1, allow_lit)?
                    }
                }
            };
            args.push(arg);
        }
        if let Some((v, ty)) = bound {
            scope.push((v, ty));
            self.feature("call binding an output");
            let mut goal = format!("{}({})", sig.name, args.join(", "));
            if let Some(g) = self.use_var(scope, v, ty) {
                goal = format!("{goal} and {g}");
            }
            Some(goal)
        } else {
            self.feature(if sig.name.starts_with("rec") {
                "call of a recursive rule"
            } else if sig.name.starts_with("has_") {
                "call of a resource-block rule"
            } else {
                "ground call"
            });
            Some(format!("{}({})", sig.name, args.join(", ")))
        }
    }

    fn list_pattern(&mut self, cl: &mut Clause, scope: &mut Scope) -> Option<String> {
        let elem = *self.rng.pick(&[Elem::Str, Elem::Int]);
        let list = self.path_of(scope, Ty::List(elem))?;
        self.feature("list pattern");
        match self.rng.below(4) {
            0 => {
                let h = cl.fresh("h");
                let t = cl.fresh("t");
                scope.push((h, elem.ty()));
                let mut goal = format!("[{}, *{}] = {list}", var(h), var(t));
                if let Some(g) = self.use_var(scope, h, elem.ty()) {
                    goal = format!("{goal} and {g}");
                }
                Some(goal)
            }
            1 => {
                let a = cl.fresh("a");
                let b = cl.fresh("b");
                scope.push((a, elem.ty()));
                scope.push((b, elem.ty()));
                Some(format!("[{}, {}] = {list}", var(a), var(b)))
            }
            2 => Some(format!("{list} = []")),
            _ => {
                let lit = self.lit(elem.ty());
                Some(format!("{list} = [{lit}, *_]"))
            }
        }
    }

    fn dict_literal(&mut self, cl: &mut Clause, scope: &mut Scope) -> Option<String> {
        let m = self.path_of(scope, Ty::Map)?;
        self.feature("dictionary literal");
        let key = *self.rng.pick(KEYS);
        if self.rng.chance(50) {
            let v = cl.fresh("d");
            scope.push((v, Ty::Int));
            Some(format!("{{{key}: {}}} = {m}", var(v)))
        } else {
            Some(format!("{m} = {{{key}: {}}}", self.lit(Ty::Int)))
        }
    }

    /// A goal on a value whose type is known only at run time.
    fn dyn_goal(&mut self, cl: &mut Clause, scope: &mut Scope) -> Option<String> {
        let dyns: Vec<usize> = scope.iter().filter(|(_, t)| *t == Ty::Dyn).map(|(v, _)| *v).collect();
        let id = *self.rng.pick(&dyns);
        let d = var(id);
        self.feature("run-time typed value");
        match self.rng.below(12) {
            0..=6 => {
                let ty = match cl.declared[id] {
                    Ty::Int | Ty::Float => *self.rng.pick(&[Ty::Int, Ty::Float]),
                    ty @ (Ty::Str | Ty::Bool | Ty::Class(_)) => ty,
                    _ => return None,
                };
                let v = self.value(scope, ty, 1, true)?;
                Some(self.ordered(d, "=", v))
            }
            7..=10 => {
                // `matches` narrows the value to the class for the goals after it: with
                // another class than its declared one, a later comparison with a value of
                // the declared type would be one rustc rejects (a build error by design,
                // although Oso just fails). Another class is tested inside `not` only.
                let declared = match cl.declared[id] {
                    Ty::Str => "String",
                    Ty::Int => "Integer",
                    Ty::Float => "Float",
                    Ty::Bool => "Boolean",
                    Ty::List(_) => "List",
                    Ty::Class(c) => c.name(),
                    _ => return None,
                };
                let class = *self.rng.pick(&[
                    "String",
                    "Integer",
                    "User",
                    "Org",
                    "Repo",
                    "Doc",
                    "List",
                    "Dictionary",
                    declared,
                    declared,
                ]);
                if class == declared {
                    Some(format!("{d} matches {class}"))
                } else {
                    Some(format!("not {d} matches {class}"))
                }
            }
            _ => {
                // Rarely, something the compiler refuses (a comparison or a lookup on it).
                if self.rng.chance(50) {
                    Some(format!("{d} > {}", self.lit(Ty::Int)))
                } else {
                    Some(format!("{d}.name = {}", self.lit(Ty::Str)))
                }
            }
        }
    }

    // ---- values ----------------------------------------------------------------------

    fn lit(&mut self, ty: Ty) -> String {
        match ty {
            Ty::Str => quote(self.rng.pick(STRS)),
            // Now and then the largest integer, so that arithmetic overflows (an error on
            // both sides, which must hide the same later clauses and solutions).
            Ty::Int if self.rng.chance(3) => i64::MAX.to_string(),
            Ty::Int => self.rng.pick(INTS).to_string(),
            Ty::Float => (*self.rng.pick(FLOATS)).to_string(),
            Ty::Bool => (*self.rng.pick(&["true", "false"])).to_string(),
            _ => "nil".into(),
        }
    }

    /// Field paths (one or two lookups) from the class-typed variables in scope, of type `ty`.
    fn paths(&self, scope: &Scope, ty: Ty) -> Vec<String> {
        let mut out = Vec::new();
        for (v, t) in scope {
            let Ty::Class(c) = t else { continue };
            for (f, ft) in fields(*c) {
                if ft == ty {
                    out.push(format!("{}.{f}", var(*v)));
                }
                if let Ty::Class(c2) = ft {
                    for (g, gt) in fields(c2) {
                        if gt == ty {
                            out.push(format!("{}.{f}.{g}", var(*v)));
                        }
                    }
                }
            }
        }
        out
    }

    fn path_of(&mut self, scope: &Scope, ty: Ty) -> Option<String> {
        let paths = self.paths(scope, ty);
        if paths.is_empty() {
            return None;
        }
        Some(self.rng.pick(&paths).clone())
    }

    fn list_value(&mut self, scope: &Scope, elem: Elem) -> Option<String> {
        let paths = self.paths(scope, Ty::List(elem));
        let vars: Vec<usize> = scope.iter().filter(|(_, t)| *t == Ty::List(elem)).map(|(v, _)| *v).collect();
        if elem != Elem::Role && (paths.is_empty() || self.rng.chance(15)) {
            self.feature("list literal");
            let n = self.rng.range(0, 3);
            let items: Vec<String> = (0..n).map(|_| self.lit(elem.ty())).collect();
            return Some(format!("[{}]", items.join(", ")));
        }
        if !vars.is_empty() && self.rng.chance(30) {
            return Some(var(*self.rng.pick(&vars)));
        }
        if paths.is_empty() { None } else { Some(self.rng.pick(&paths).clone()) }
    }

    /// A value of static type `ty` (numbers: exactly `Int` or `Float`). `allow_lit`: a
    /// literal may be the answer.
    fn value(&mut self, scope: &Scope, ty: Ty, depth: u32, allow_lit: bool) -> Option<String> {
        let vars: Vec<usize> = scope.iter().filter(|(_, t)| *t == ty).map(|(v, _)| *v).collect();
        let paths = self.paths(scope, ty);
        let maps = if ty == Ty::Int { self.paths(scope, Ty::Map) } else { Vec::new() };
        let weights = [
            if vars.is_empty() { 0 } else { 25 },
            if paths.is_empty() { 0 } else { 45 },
            if allow_lit && ty.is_scalar() { 20 } else { 0 },
            if depth < 1 && ty.is_num() { 10 } else { 0 },
            if maps.is_empty() { 0 } else { 6 },
        ];
        if weights.iter().all(|w| *w == 0) {
            return None;
        }
        match self.rng.weighted(&weights) {
            0 => Some(var(*self.rng.pick(&vars))),
            1 => Some(self.rng.pick(&paths).clone()),
            2 => Some(self.lit(ty)),
            3 => {
                self.feature("arithmetic");
                if ty == Ty::Float {
                    // `/` always gives a float; so does a float operand.
                    let a = self.value(scope, Ty::Int, depth + 1, false)?;
                    if self.rng.chance(50) {
                        let b = self.value(scope, Ty::Int, depth + 1, true)?;
                        self.feature("division");
                        Some(format!("{} / {}", paren_arith(&a), paren_arith(&b)))
                    } else {
                        let b = self.value(scope, Ty::Float, depth + 1, true)?;
                        let op = *self.rng.pick(&["+", "-", "*"]);
                        Some(format!("{} {op} {}", paren_arith(&a), paren_arith(&b)))
                    }
                } else {
                    let a = self.value(scope, Ty::Int, depth + 1, false)?;
                    let b = self.value(scope, Ty::Int, depth + 1, true)?;
                    let op = *self.rng.pick(&["+", "-", "*", "+", "mod", "rem"]);
                    Some(format!("{} {op} {}", paren_arith(&a), paren_arith(&b)))
                }
            }
            _ => {
                self.feature("dictionary lookup");
                let m = self.rng.pick(&maps).clone();
                Some(format!("{m}.{}", self.rng.pick(KEYS)))
            }
        }
    }
}

/// Parenthesizes an arithmetic expression (`in` and `matches` bind tighter than arithmetic).
fn paren_arith(e: &str) -> String {
    if e.contains(' ') { format!("({e})") } else { e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_per_seed_and_index() {
        for index in 0..50 {
            assert_eq!(generate(7, index).text, generate(7, index).text);
        }
        let differ = (0..50).filter(|i| generate(7, *i).text != generate(8, *i).text).count();
        assert!(differ > 45, "other seeds give other policies ({differ} of 50 differ)");
        assert_ne!(generate(7, 0).text, generate(7, 1).text);
    }

    #[test]
    fn oso_loads_every_generated_policy() {
        let mut failures = Vec::new();
        for index in 0..300 {
            let policy = generate(0xC0FFEE, index);
            if let Err(e) = crate::world::oso_side::oso(&policy.text) {
                failures.push(format!("policy {index}: {e}\n{}", policy.text));
            }
            // Oso also warns (on stdout) about `and` inside `or` without parentheses; the
            // compiler's front end gives the same warning, W0301.
            let mut sources = polar_compiler::source::SourceMap::new();
            sources.add("p.polar", policy.text.clone());
            let checked = polar_compiler::check(&sources, polar_compiler::Stop::AfterValidation);
            if let Some(w) = checked.diagnostics.iter().find(|d| d.code == "W0301") {
                failures.push(format!("policy {index}: {}\n{}", w.message, policy.text));
            }
        }
        assert!(
            failures.is_empty(),
            "Oso refused {} generated policies:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn placeholders_name_single_use_variables_with_an_underscore() {
        let mut cl = Clause::default();
        let a = cl.fresh("x");
        let b = cl.fresh("y");
        let text = format!("f({}, {}) if {} = 1;", var(a), var(b), var(a));
        assert_eq!(cl.finish(&text), "f(x0, _y1) if x0 = 1;");
    }
}
