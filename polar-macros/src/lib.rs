//! Procedural macros of the Polar ahead-of-time compiler. Use them through `polar-runtime`,
//! which re-exports them: the generated code names `::polar_runtime`.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::quote;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, LitStr};

/// `polar!(file = "policies/app.polar")` or `polar!(source = "...")`: compiles a policy into
/// items of the enclosing module. See `polar_runtime::polar` for the documentation.
#[proc_macro]
pub fn polar(input: TokenStream) -> TokenStream {
    match polar_items(input.into()) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

struct PolarArgs {
    key: syn::Ident,
    value: LitStr,
    filters: bool,
}

impl syn::parse::Parse for PolarArgs {
    fn parse(input: syn::parse::ParseStream<'_>) -> syn::Result<Self> {
        let key: syn::Ident = input.parse()?;
        if key != "file" && key != "source" {
            return Err(syn::Error::new(key.span(), "expected `file = \"path\"` or `source = \"policy\"`"));
        }
        input.parse::<syn::Token![=]>()?;
        let value: LitStr = input.parse()?;
        let mut filters = false;
        while input.parse::<Option<syn::Token![,]>>()?.is_some() && !input.is_empty() {
            let option: syn::Ident = input.parse()?;
            if option != "filters" {
                return Err(syn::Error::new(option.span(), "expected `filters = true` (data filtering)"));
            }
            input.parse::<syn::Token![=]>()?;
            filters = input.parse::<syn::LitBool>()?.value;
        }
        if !input.is_empty() {
            return Err(input.error("expected `,`"));
        }
        Ok(PolarArgs { key, value, filters })
    }
}

fn polar_items(input: TokenStream2) -> syn::Result<TokenStream2> {
    let args: PolarArgs = syn::parse2(input)?;
    let mut sources = polar_compiler::source::SourceMap::new();
    let mut track = TokenStream2::new();
    if args.key == "file" {
        // Paths are relative to the crate being compiled, like `include_str!` from its root.
        let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
        let path = std::path::Path::new(&dir).join(args.value.value());
        let text = std::fs::read_to_string(&path).map_err(|e| {
            // The path as written (relative to the crate's Cargo.toml): an absolute path would
            // differ between machines and hide which argument is wrong.
            syn::Error::new(
                args.value.span(),
                format!(
                    "cannot read policy `{}` (paths are relative to the directory of the crate's Cargo.toml): {e}",
                    args.value.value()
                ),
            )
        })?;
        sources.add(args.value.value(), text);
        // Makes cargo rebuild the crate when the policy changes.
        let path = path.to_string_lossy().into_owned();
        track = quote! { const _: &[u8] = include_bytes!(#path); };
    } else {
        sources.add("<polar! source>", args.value.value());
    }
    let options = polar_compiler::Options { filters: args.filters };
    let compiled = polar_compiler::compile_with(&sources, &options);
    match compiled {
        Ok(tokens) => Ok(quote! { #track #tokens }),
        // Stable Rust cannot point into another file: the rendered diagnostics (with the
        // policy's path:line:column) go on the literal.
        Err(rendered) => Err(syn::Error::new(args.value.span(), rendered)),
    }
}

/// `#[derive(PolarClass)]`: see `polar_runtime::PolarClass` for the documentation.
#[proc_macro_derive(PolarClass, attributes(polar))]
pub fn derive_polar_class(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as DeriveInput);
    match polar_class(&input) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// FNV-1a (64 bits) of the field name; identical to `polar_runtime::field_hash`.
fn field_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// Collects several errors into one, so that every mistake is reported at once.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }
    fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// The names Oso refuses to register (`InvalidRegistration`): the built-in union types.
const RESERVED: &[&str] = &["Actor", "Resource"];

fn polar_class(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let mut errors = Errors::default();
    let ident = &input.ident;

    // #[polar(...)] on the type.
    let mut class_name: Option<LitStr> = None;
    let mut table: Option<LitStr> = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("polar")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("table") {
                let lit: LitStr = meta.value()?.parse()?;
                if table.is_some() {
                    return Err(meta.error("duplicate `table`"));
                }
                table = Some(lit);
                Ok(())
            } else if meta.path.is_ident("class_name") {
                let lit: LitStr = meta.value()?.parse()?;
                if class_name.is_some() {
                    return Err(meta.error("duplicate `class_name`"));
                }
                class_name = Some(lit);
                Ok(())
            } else {
                Err(meta.error("unknown `polar` attribute on a type; expected `class_name = \"...\"` or `table = \"...\"`"))
            }
        });
        if let Err(e) = parsed {
            errors.push(e);
        }
    }
    let (name, name_span) = match &class_name {
        Some(lit) => (lit.value(), lit.span()),
        None => (ident.unraw().to_string(), ident.span()),
    };
    if !is_polar_identifier(&name) {
        errors.push(syn::Error::new(name_span, format!("`{name}` is not a valid Polar class name")));
    } else if RESERVED.contains(&name.as_str()) {
        let hint =
            if class_name.is_none() { "; rename it with `#[polar(class_name = \"...\")]`" } else { "" };
        errors.push(syn::Error::new(
            name_span,
            format!("`{name}` is a built-in union type of Polar and cannot name a class{hint}"),
        ));
    }

    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        errors.push(syn::Error::new(
            input.generics.span(),
            "`#[derive(PolarClass)]` does not support generic types: a Polar class is one concrete \
             Rust type; wrap the instantiation you need in a non-generic struct",
        ));
    }

    // Fields.
    let mut fields: Vec<(String, &syn::Field, syn::Member)> = Vec::new();
    let mut sql_fields: Vec<SqlField> = Vec::new();
    match &input.data {
        Data::Struct(data) => {
            for field in &data.fields {
                let mut skip = false;
                let mut sql = SqlField::default();
                for attr in field.attrs.iter().filter(|a| a.path().is_ident("polar")) {
                    let parsed = attr.parse_nested_meta(|meta| {
                        if meta.path.is_ident("skip") {
                            skip = true;
                            Ok(())
                        } else if sql.parse(&meta)? {
                            Ok(())
                        } else if meta.path.is_ident("attribute") {
                            // Oso's opt-in marker; every field is visible here anyway.
                            Ok(())
                        } else {
                            Err(meta.error(
                                "unknown `polar` attribute on a field; expected `skip`, `key`, `column = \"...\"`, \
                                 `many_to_one = \"fk\"`, `one_to_many = \"fk\"` or `many_to_many(table = \"...\", here = \"...\", there = \"...\")`",
                            ))
                        }
                    });
                    if let Err(e) = parsed {
                        errors.push(e);
                    }
                }
                if skip {
                    continue;
                }
                // Tuple fields have no name a policy could use: they stay invisible.
                if let Some(field_ident) = &field.ident {
                    let member = syn::Member::Named(field_ident.clone());
                    fields.push((field_ident.unraw().to_string(), field, member));
                    sql_fields.push(sql);
                }
            }
        }
        Data::Enum(data) => {
            for variant in &data.variants {
                if !matches!(variant.fields, Fields::Unit) {
                    errors.push(syn::Error::new(
                        variant.span(),
                        "`#[derive(PolarClass)]` supports enums only when every variant is a unit variant",
                    ));
                }
            }
        }
        Data::Union(data) => {
            errors.push(syn::Error::new(
                data.union_token.span,
                "`#[derive(PolarClass)]` does not support unions",
            ));
        }
    }

    // Two names with one hash would give two identical impls; report it readably.
    for (i, (a, field_a, _)) in fields.iter().enumerate() {
        if let Some((b, _, _)) = fields[..i].iter().find(|(b, _, _)| field_hash(b) == field_hash(a)) {
            errors.push(syn::Error::new(
                field_a.span(),
                format!("fields `{b}` and `{a}` have the same hash; rename one or mark it `#[polar(skip)]`"),
            ));
        }
    }
    let table_impl = match &table {
        Some(table) => table_mapping(ident, &name, table, &fields, &sql_fields, &mut errors),
        None => {
            if let Some(sql) = sql_fields.iter().find(|f| f.is_set()) {
                errors.push(syn::Error::new(
                    sql.span.unwrap_or_else(Span::call_site),
                    "table mappings of fields need `#[polar(table = \"...\")]` on the type",
                ));
            }
            TokenStream2::new()
        }
    };
    errors.finish()?;

    let field_names: Vec<&String> = fields.iter().map(|(name, _, _)| name).collect();
    let field_members: Vec<&syn::Member> = fields.iter().map(|(_, _, member)| member).collect();
    let field_impls = fields.iter().map(|(name, field, member)| {
        let hash = proc_macro2::Literal::u64_suffixed(field_hash(name));
        let ty = &field.ty;
        let doc = format!("The Polar field `{name}`.");
        quote! {
            #[doc = #doc]
            impl ::polar_runtime::Field<#hash> for #ident {
                type Value = #ty;
                #[inline(always)]
                fn get(&self) -> &#ty {
                    &self.#member
                }
            }
            // Per field rather than a blanket impl over `Field`: a missing field is then the
            // policy site's error (one impl level), not `Field`'s.
            impl ::polar_runtime::Lookup<#hash> for #ident {
                type Value = #ty;
                #[inline(always)]
                fn lookup(&self, _: &str) -> ::core::option::Option<&#ty> {
                    ::core::option::Option::Some(&self.#member)
                }
            }
        }
    });
    let name = LitStr::new(&name, Span::call_site());

    Ok(quote! {
        impl ::polar_runtime::PolarClass for #ident {
            const NAME: &'static str = #name;
            const FIELDS: &'static [&'static str] = &[#(#field_names),*];
        }
        impl ::polar_runtime::Polar for #ident {
            #[inline(always)]
            fn view(&self) -> ::polar_runtime::View<'_> {
                ::polar_runtime::View::Instance {
                    class: <Self as ::polar_runtime::PolarClass>::NAME,
                    any: self,
                    eq: ::polar_runtime::support::instance_eq!(#ident),
                    value: self,
                }
            }
            fn field(&self, name: &str) -> ::polar_runtime::support::FieldLookup<'_> {
                #[allow(unused_imports)]
                use ::polar_runtime::support::{FieldIsAny as _, FieldIsPolar as _};
                match name {
                    #(#field_names => (&::polar_runtime::support::FieldProbe(&self.#field_members)).lookup(),)*
                    _ => ::polar_runtime::support::FieldLookup::Missing,
                }
            }
        }
        impl ::polar_runtime::Bare for #ident {
            type Target = Self;
            #[inline(always)]
            fn bare(&self) -> &Self {
                self
            }
        }
        #(#field_impls)*
        #table_impl
    })
}

/// What `#[polar(...)]` says of a field's storage (data filtering).
#[derive(Default)]
struct SqlField {
    span: Option<Span>,
    key: bool,
    column: Option<LitStr>,
    relation: Option<Relation>,
}

enum Relation {
    ManyToOne(LitStr),
    OneToMany(LitStr),
    ManyToMany { table: LitStr, here: LitStr, there: LitStr },
}

impl SqlField {
    fn is_set(&self) -> bool {
        self.key || self.column.is_some() || self.relation.is_some()
    }

    /// Parses one attribute if it is a storage attribute.
    fn parse(&mut self, meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<bool> {
        let path = &meta.path;
        if path.is_ident("key") {
            self.key = true;
        } else if path.is_ident("column") {
            self.column = Some(meta.value()?.parse()?);
        } else if path.is_ident("many_to_one") {
            self.set_relation(meta, Relation::ManyToOne(meta.value()?.parse()?))?;
        } else if path.is_ident("one_to_many") {
            self.set_relation(meta, Relation::OneToMany(meta.value()?.parse()?))?;
        } else if path.is_ident("many_to_many") {
            let (mut table, mut here, mut there) = (None, None, None);
            meta.parse_nested_meta(|inner| {
                let slot = if inner.path.is_ident("table") {
                    &mut table
                } else if inner.path.is_ident("here") {
                    &mut here
                } else if inner.path.is_ident("there") {
                    &mut there
                } else {
                    return Err(inner.error("expected `table`, `here` or `there`"));
                };
                *slot = Some(inner.value()?.parse::<LitStr>()?);
                Ok(())
            })?;
            let (Some(table), Some(here), Some(there)) = (table, here, there) else {
                return Err(meta.error(
                    "`many_to_many` needs `table` (the join table), `here` (its column holding this row's key) \
                     and `there` (its column holding the related row's key)",
                ));
            };
            self.set_relation(meta, Relation::ManyToMany { table, here, there })?;
        } else {
            return Ok(false);
        }
        self.span = Some(path.span());
        Ok(true)
    }

    fn set_relation(&mut self, meta: &syn::meta::ParseNestedMeta<'_>, relation: Relation) -> syn::Result<()> {
        if self.relation.is_some() {
            return Err(meta.error("a field holds one relation"));
        }
        self.relation = Some(relation);
        Ok(())
    }
}

/// `Some(true)` for the field marked `#[polar(key)]`, `Some(false)` for a field `id` (the
/// key unless another is marked), `None` otherwise.
fn sql_fields_key(sql: &SqlField, name: &str) -> Option<bool> {
    if sql.key {
        Some(true)
    } else if name == "id" {
        Some(false)
    } else {
        None
    }
}

/// The type a relation field holds instances of: `T` in `Vec<T>`, `Box<T>`, `Arc<T>`, ...
fn related_type(ty: &syn::Type) -> &syn::Type {
    if let syn::Type::Path(path) = ty
        && let Some(last) = path.path.segments.last()
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
    {
        let types: Vec<&syn::Type> = args
            .args
            .iter()
            .filter_map(|a| if let syn::GenericArgument::Type(t) = a { Some(t) } else { None })
            .collect();
        if let [inner] = types[..] {
            return related_type(inner);
        }
    }
    ty
}

/// `impl Table` for a class with `#[polar(table = "...")]`.
fn table_mapping(
    ident: &syn::Ident,
    class: &str,
    table: &LitStr,
    fields: &[(String, &syn::Field, syn::Member)],
    sql: &[SqlField],
    errors: &mut Errors,
) -> TokenStream2 {
    // (field, column, marked `#[polar(key)]`): the marked field, else `id`.
    let mut key: Option<(String, String, bool)> = None;
    let mut columns = Vec::new();
    let mut relations = Vec::new();
    for ((name, field, _), sql) in fields.iter().zip(sql) {
        let column = sql.column.as_ref().map_or_else(|| name.clone(), LitStr::value);
        match &sql.relation {
            None => {
                let ty = &field.ty;
                columns.push(quote! {
                    ::polar_runtime::filter::ColumnMeta {
                        field: #name,
                        column: #column,
                        kind: <#ty as ::polar_runtime::filter::Column>::KIND,
                    }
                });
                let explicit = sql_fields_key(sql, name);
                if explicit == Some(true) {
                    if key.as_ref().is_some_and(|(_, _, was_explicit)| *was_explicit) {
                        errors.push(syn::Error::new(field.span(), "a table has one `#[polar(key)]`"));
                    }
                    key = Some((name.clone(), column.clone(), true));
                } else if explicit == Some(false) && key.is_none() {
                    key = Some((name.clone(), column.clone(), false));
                }
            }
            Some(relation) => {
                if sql.key {
                    errors.push(syn::Error::new(field.span(), "a relation cannot be the key"));
                }
                let target = related_type(&field.ty);
                let kind = match relation {
                    Relation::ManyToOne(fk) => {
                        quote! { ::polar_runtime::filter::RelationKind::ManyToOne { fk: #fk } }
                    }
                    Relation::OneToMany(fk) => {
                        quote! { ::polar_runtime::filter::RelationKind::OneToMany { fk: #fk } }
                    }
                    Relation::ManyToMany { table, here, there } => quote! {
                        ::polar_runtime::filter::RelationKind::ManyToMany { table: #table, here: #here, there: #there }
                    },
                };
                relations.push(quote! {
                    ::polar_runtime::filter::RelationMeta {
                        field: #name,
                        kind: #kind,
                        target: ::polar_runtime::filter::table_of::<#target>,
                    }
                });
            }
        }
    }
    let Some((key_field, key_column, _)) = key else {
        errors.push(syn::Error::new(
            table.span(),
            "a table needs a key: a field `id`, or the field marked `#[polar(key)]`",
        ));
        return TokenStream2::new();
    };
    quote! {
        impl ::polar_runtime::filter::Table for #ident {
            const TABLE: ::polar_runtime::filter::TableMeta = ::polar_runtime::filter::TableMeta {
                class: #class,
                table: #table,
                key_field: #key_field,
                key: #key_column,
                columns: &[#(#columns),*],
                relations: &[#(#relations),*],
            };
        }
    }
}

/// A Polar symbol usable as a class name: a letter or `_`, then letters, digits, `_`
/// (Oso's lexer also allows `::`-separated paths, which cannot name a Rust-side class).
fn is_polar_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_fnv1a() {
        assert_eq!(field_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(field_hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(field_hash("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn identifiers() {
        assert!(is_polar_identifier("Org"));
        assert!(is_polar_identifier("_x1"));
        assert!(!is_polar_identifier(""));
        assert!(!is_polar_identifier("1x"));
        assert!(!is_polar_identifier("a-b"));
        assert!(!is_polar_identifier("a::b"));
    }

    fn expand(src: &str) -> Result<String, String> {
        let input: DeriveInput = syn::parse_str(src).unwrap();
        polar_class(&input)
            .map(|t| t.to_string())
            .map_err(|e| e.into_iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))
    }

    #[test]
    fn expansion() {
        let out = expand("#[serde(rename_all = \"x\")] struct Org { #[serde(skip)] id: u64, #[polar(skip)] secret: String, r#type: String }").unwrap();
        assert!(out.contains("const NAME : & 'static str = \"Org\""), "{out}");
        assert!(out.contains("& [\"id\" , \"type\"]"), "{out}");
        assert!(out.contains(&format!("Field < {}u64 > for Org", field_hash("id"))), "{out}");
        assert!(out.contains(&format!("Field < {}u64 > for Org", field_hash("type"))), "{out}");
        assert!(!out.contains(&format!("{}u64", field_hash("secret"))), "{out}");
        let renamed = expand("#[polar(class_name = \"Repository\")] struct Repo;").unwrap();
        assert!(renamed.contains("\"Repository\""), "{renamed}");
        assert!(expand("enum Status { Open, Closed }").is_ok());
        assert!(expand("struct Id(u64);").is_ok());
    }

    #[test]
    fn errors() {
        let e = expand("struct W<T> { t: T }").unwrap_err();
        assert!(e.contains("does not support generic types"), "{e}");
        let e = expand("struct W<'a> { t: &'a str }").unwrap_err();
        assert!(e.contains("does not support generic types"), "{e}");
        let e = expand("enum E { A(u8), B }").unwrap_err();
        assert!(e.contains("unit variant"), "{e}");
        let e = expand("union U { a: u8 }").unwrap_err();
        assert!(e.contains("unions"), "{e}");
        let e = expand("#[polar(name = \"X\")] struct S;").unwrap_err();
        assert!(e.contains("unknown `polar` attribute on a type"), "{e}");
        let e = expand("struct S { #[polar(hide)] a: u8 }").unwrap_err();
        assert!(e.contains("unknown `polar` attribute on a field"), "{e}");
        let e = expand("#[polar(class_name = \"a b\")] struct S;").unwrap_err();
        assert!(e.contains("not a valid Polar class name"), "{e}");
        let e = expand("struct Actor;").unwrap_err();
        assert!(e.contains("built-in union type") && e.contains("rename it"), "{e}");
        let e = expand("#[polar(class_name = \"Resource\")] struct R;").unwrap_err();
        assert!(e.contains("built-in union type") && !e.contains("rename it"), "{e}");
        let e = expand("#[polar(class_name = \"A\", class_name = \"B\")] struct S;").unwrap_err();
        assert!(e.contains("duplicate"), "{e}");
        // Every independent error at once.
        let e = expand("#[polar(bogus)] struct W<T> { #[polar(hide)] t: T }").unwrap_err();
        assert_eq!(e.lines().count(), 3, "{e}");
    }
}
