//! Nothing in the runtime allocates: a counting global allocator (per thread) around every
//! operation on data already in memory.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::hint::black_box;
use std::rc::Rc;

use polar_runtime::{
    ArithOp, Bare, CmpOp, Dict, Field, Members, Nil, Number, Polar, PolarClass, View, add, compare, div,
    equal, field_hash, modulo, rem, unify,
};

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

struct Counting;

fn count() {
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: forwards to the system allocator; counting touches only a const-initialized
// thread-local `Cell`, which does not allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[derive(PolarClass, PartialEq)]
struct Org {
    id: u64,
    name: String,
    tags: Vec<String>,
    meta: HashMap<String, i64>,
    parent: Option<Box<Org>>,
}

#[test]
fn the_counter_counts() {
    assert!(allocations(|| drop(black_box(vec![1u8]))) >= 1);
}

#[test]
fn no_operation_allocates() {
    let org = Org {
        id: 7,
        name: "acme".into(),
        tags: vec!["a".into(), "b".into()],
        meta: HashMap::from([("k".into(), 3)]),
        parent: Some(Box::new(Org {
            id: 1,
            name: String::new(),
            tags: vec![],
            meta: HashMap::new(),
            parent: None,
        })),
    };
    let set: HashSet<i64> = (0..10).collect();
    let bset: BTreeSet<u32> = (0..10).collect();
    let deque: VecDeque<f64> = [1.0, f64::NAN].into();
    let bmap: BTreeMap<&str, u8> = BTreeMap::from([("x", 1)]);
    let shared: Rc<[i64]> = Rc::from(&[1i64, 2][..]);
    let text = String::from("héllo");

    let n = allocations(|| {
        // Comparisons.
        black_box(unify(black_box(&u64::MAX), black_box(&-1i64)));
        black_box(unify(black_box(&1i32), black_box(&1.0f64)));
        black_box(equal(black_box(&true), black_box(&1u8)));
        for op in CmpOp::ALL {
            black_box(compare(black_box(&f64::NAN), op, black_box(&3i64)));
            black_box(compare(black_box("a"), op, black_box(&org.name)));
        }
        black_box(unify(black_box(&org), black_box(&org)));
        black_box(equal(black_box(&org.parent), black_box(&Nil)));
        // Arithmetic, errors included.
        for op in ArithOp::ALL {
            let _ = black_box(op.apply(Number::Int(i64::MAX), Number::Int(0)));
            let _ = black_box(op.apply(Number::Float(1.5), Number::Int(-2)));
        }
        let _ = black_box(add(black_box(&u64::MAX), &1i64));
        let _ = black_box(div(&7i64, &2u8));
        let _ = black_box(modulo(&-7i64, &3i64));
        let _ = black_box(rem(&-7i64, &0i64));
        // Fields, through pointers.
        let parent = <Org as Field<{ field_hash("parent") }>>::get(&org);
        let parent_id = parent.members().map(|p| <Org as Field<{ field_hash("id") }>>::get(p.bare())).next();
        black_box(parent_id);
        // Membership.
        black_box(org.tags.members().any(|t| unify(t, "b")));
        black_box(set.members().any(|x| unify(x, &9u8)));
        black_box(bset.members().any(|x| unify(x, &9.0f64)));
        black_box(deque.members().any(|x| unify(x, &f64::NAN)));
        black_box(shared.bare().members().any(|x| unify(x, &2i64)));
        black_box(text.members().any(|c| unify(c, "é")));
        black_box(org.meta.entries().any(|(k, v)| unify(k, "k") && unify(v, &3i64)));
        black_box(org.meta.lookup("k"));
        black_box(bmap.entries().any(|(k, v)| unify(k, "x") && unify(v, &1i64)));
        // Views.
        black_box(org.view().downcast::<Org>().is_some());
        if let View::List(list) = org.tags.view() {
            black_box(list.any(&mut |v| matches!(v, View::Str("b"))));
        }
        if let View::Dict(dict) = org.meta.view() {
            black_box(dict.get("k").map(|v| v.class_name()));
            black_box(dict.any(&mut |k, _| k == "k"));
        }
        black_box(shared.view().class_name());
        black_box(Some(&org).view().class_name());
        black_box(u64::MAX.view().class_name());
    });
    assert_eq!(n, 0, "allocations in runtime operations");
}
