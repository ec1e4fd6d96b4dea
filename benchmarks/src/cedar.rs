//! The Cedar side of a workload: Cedar's `Authorizer` over a policy set, a schema-validated
//! `Entities` store built beforehand (which computes the transitive closure of the entity
//! hierarchy once, at construction) and one prebuilt `Request` per query.

use std::str::FromStr;

use cedar_policy::{Authorizer, Context, Decision, Entities, EntityUid, PolicySet, Request, Schema};
use serde_json::{Value, json};

pub struct CedarSide {
    authorizer: Authorizer,
    policies: PolicySet,
    entities: Entities,
    requests: Vec<Request>,
}

/// A schema in either of Cedar's formats.
pub enum SchemaSource<'a> {
    Json(&'a str),
    Cedar(&'a str),
}

/// `Type::"id"`.
pub fn uid(ty: &str, id: &str) -> EntityUid {
    EntityUid::from_str(&format!("{ty}::{}", json!(id))).expect("a valid entity uid")
}

/// An entity reference in Cedar's JSON entity format.
pub fn euid(ty: &str, id: impl std::fmt::Display) -> Value {
    json!({ "__entity": { "type": ty, "id": id.to_string() } })
}

/// One entity in Cedar's JSON entity format.
pub fn entity(ty: &str, id: impl std::fmt::Display, attrs: Value, parents: Vec<Value>) -> Value {
    json!({ "uid": { "type": ty, "id": id.to_string() }, "attrs": attrs, "parents": parents })
}

impl CedarSide {
    /// Panics when the policies, the schema, the entities or a request are invalid: the
    /// workloads are fixed, so that is a bug in them.
    pub fn new(
        policies: &str,
        schema: SchemaSource<'_>,
        entities: Vec<Value>,
        requests: impl IntoIterator<Item = (EntityUid, &'static str, EntityUid)>,
    ) -> Self {
        let policies = PolicySet::from_str(policies).expect("Cedar parses the policies");
        let schema = match schema {
            SchemaSource::Json(s) => Schema::from_json_str(s).expect("Cedar parses the JSON schema"),
            SchemaSource::Cedar(s) => Schema::from_cedarschema_str(s).expect("Cedar parses the schema").0,
        };
        let validation = cedar_policy::Validator::new(schema.clone())
            .validate(&policies, cedar_policy::ValidationMode::Strict);
        assert!(validation.validation_passed(), "the policies validate against the schema: {validation}");
        let entities = Entities::from_json_value(Value::Array(entities), Some(&schema))
            .unwrap_or_else(|e| panic!("the entities conform to the schema: {e}"));
        let requests = requests
            .into_iter()
            .map(|(principal, action, resource)| {
                Request::new(principal, uid("Action", action), resource, Context::empty(), Some(&schema))
                    .unwrap_or_else(|e| panic!("a request valid for the schema: {e}"))
            })
            .collect();
        CedarSide { authorizer: Authorizer::new(), policies, entities, requests }
    }

    /// The decision of request `i`. Errors while evaluating a policy make Cedar skip that
    /// policy; none of the benchmarked policies can raise one on schema-valid data.
    #[inline]
    pub fn check(&self, i: usize) -> bool {
        let response = self.authorizer.is_authorized(&self.requests[i], &self.policies, &self.entities);
        debug_assert!(response.diagnostics().errors().next().is_none());
        response.decision() == Decision::Allow
    }

    pub fn len(&self) -> usize {
        self.requests.len()
    }

    pub fn is_empty(&self) -> bool {
        self.requests.is_empty()
    }

    /// Every request once, as the timed loop does; the number allowed.
    pub fn run(&self) -> usize {
        let mut allowed = 0;
        for request in &self.requests {
            let response =
                self.authorizer.is_authorized(std::hint::black_box(request), &self.policies, &self.entities);
            allowed += usize::from(response.decision() == Decision::Allow);
        }
        allowed
    }

    pub fn answers(&self) -> Vec<bool> {
        (0..self.requests.len()).map(|i| self.check(i)).collect()
    }
}
