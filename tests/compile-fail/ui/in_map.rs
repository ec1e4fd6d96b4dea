// `x in map` with anything but a two-element list literal on the left: `x` would be a
// `[key, value]` list of two types, which the compiled policy cannot bind. The message says
// how maps are iterated (`[key, value] in map`).
use std::collections::HashMap;

use polar_runtime::PolarClass;

#[derive(PolarClass)]
pub struct User {
    pub roles: HashMap<String, String>,
}

polar_runtime::polar!(file = "ui/in_map.polar");

fn main() {}
