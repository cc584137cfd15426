//! Request-body validation against the third-party OpenAPI description of
//! amoCRM (tests/vendor/amocrm-openapi/openapi.json, see the README there)
//! with spec-errata.json applied, so the
//! client cannot drift from the real API without a test failing.
//!
//! Loaded once per test process (static); validators are compiled lazily per
//! operation and cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value, json};

const SPEC_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/vendor/amocrm-openapi/openapi.json"
);
const ERRATA_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/vendor/amocrm-openapi/spec-errata.json"
);

/// One schema error in amoCRM's `validation-errors` vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Index of the batch item (None for a single-object body).
    pub item: Option<usize>,
    /// amoCRM-style code: `FieldMissing`, `InvalidType`, `NotSupportedChoice`, …
    pub code: String,
    /// Dotted path inside the item, e.g. `custom_fields_values.0.field_id`.
    pub path: String,
    pub detail: String,
}

struct Op {
    method: String,
    segments: Vec<Option<String>>, // None = `{param}`
    literals: usize,
    operation_id: String,
    body_schema: Option<Value>,
}

pub struct Spec {
    components: Value,
    ops: Vec<Op>,
    cache: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
    pub errata_applied: usize,
}

static SPEC: OnceLock<Spec> = OnceLock::new();

/// The process-wide spec. Panics (test set-up error) when the files are missing.
pub fn spec() -> &'static Spec {
    SPEC.get_or_init(Spec::load)
}

impl Spec {
    fn load() -> Spec {
        let text = std::fs::read_to_string(SPEC_PATH).unwrap_or_else(|e| {
            panic!("fake amoCRM: cannot read the OpenAPI spec {SPEC_PATH}: {e} (vendored in the repository)")
        });
        let mut doc: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("fake amoCRM: {SPEC_PATH} is not JSON: {e}"));
        let errata_text = std::fs::read_to_string(ERRATA_PATH)
            .unwrap_or_else(|e| panic!("fake amoCRM: cannot read {ERRATA_PATH}: {e}"));
        let errata: Value = serde_json::from_str(&errata_text)
            .unwrap_or_else(|e| panic!("fake amoCRM: {ERRATA_PATH} is not JSON: {e}"));
        let patches = errata
            .get("patches")
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("fake amoCRM: {ERRATA_PATH} has no `patches` array"));
        for p in patches {
            if let Err(e) = apply_patch(&mut doc, p) {
                panic!("fake amoCRM: spec-errata patch {p} does not apply: {e}");
            }
        }
        // Logged on purpose: the errata are a deliberate deviation from the spec.
        eprintln!(
            "fake amoCRM: applied {} spec-errata patches to {SPEC_PATH}",
            patches.len()
        );
        let components = doc.get("components").cloned().unwrap_or(Value::Null);
        let mut ops = Vec::new();
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                let Some(item) = item.as_object() else {
                    continue;
                };
                let segments: Vec<Option<String>> = path
                    .trim_matches('/')
                    .split('/')
                    .map(|s| {
                        if s.starts_with('{') {
                            None
                        } else {
                            Some(s.to_string())
                        }
                    })
                    .collect();
                let literals = segments.iter().filter(|s| s.is_some()).count();
                for (method, op) in item {
                    let body_schema = op
                        .pointer("/requestBody/content/application~1json/schema")
                        .cloned();
                    ops.push(Op {
                        method: method.to_ascii_uppercase(),
                        segments: segments.clone(),
                        literals,
                        operation_id: op
                            .get("operationId")
                            .and_then(Value::as_str)
                            .unwrap_or(path)
                            .to_string(),
                        body_schema,
                    });
                }
            }
        }
        Spec {
            components,
            ops,
            cache: Mutex::new(HashMap::new()),
            errata_applied: patches.len(),
        }
    }

    fn find_op(&self, method: &str, path: &str) -> Option<&Op> {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        self.ops
            .iter()
            .filter(|op| op.method == method && op.segments.len() == segs.len())
            .filter(|op| {
                op.segments
                    .iter()
                    .zip(&segs)
                    .all(|(t, s)| t.as_deref().is_none_or(|lit| lit == *s))
            })
            .max_by_key(|op| op.literals)
    }

    /// The spec's operation id for a request, if the spec describes it.
    pub fn operation_id(&self, method: &str, path: &str) -> Option<String> {
        self.find_op(method, path).map(|o| o.operation_id.clone())
    }

    /// Validate a body. `None` when the spec has no request schema for this
    /// operation (the caller validates by hand then).
    pub fn validate(&self, method: &str, path: &str, body: &Value) -> Option<Vec<FieldError>> {
        let op = self.find_op(method, path)?;
        let schema = op.body_schema.as_ref()?;
        let validator = {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(v) = cache.get(&op.operation_id) {
                v.clone()
            } else {
                let mut root = Map::new();
                if let Some(obj) = schema.as_object() {
                    root.extend(obj.clone());
                } else {
                    root.insert("allOf".into(), json!([schema]));
                }
                root.insert("components".into(), self.components.clone());
                let v = jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .build(&Value::Object(root))
                    .unwrap_or_else(|e| {
                        panic!(
                            "fake amoCRM: schema of {} does not compile: {e}",
                            op.operation_id
                        )
                    });
                let v = Arc::new(v);
                cache.insert(op.operation_id.clone(), v.clone());
                v
            }
        };
        let batch = schema.get("type").and_then(Value::as_str) == Some("array");
        let errors = validator
            .iter_errors(body)
            .map(|e| to_field_error(&e, batch))
            .collect::<Vec<_>>();
        Some(errors)
    }
}

fn to_field_error(e: &jsonschema::ValidationError<'_>, batch: bool) -> FieldError {
    use jsonschema::error::ValidationErrorKind as K;
    let pointer = e.instance_path.to_string();
    let mut parts: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect();
    let item = if batch && !parts.is_empty() {
        parts.remove(0).parse::<usize>().ok()
    } else {
        None
    };
    let (code, detail, extra) = match &e.kind {
        K::Required { property } => (
            "FieldMissing",
            "This field is missing.".to_string(),
            property.as_str().map(str::to_string),
        ),
        K::Type { .. } => ("InvalidType", format!("{e}"), None),
        K::Enum { .. } | K::Constant { .. } => ("NotSupportedChoice", format!("{e}"), None),
        K::AnyOf { .. } | K::OneOfNotValid { .. } | K::OneOfMultipleValid { .. } => {
            ("InvalidType", format!("{e}"), None)
        }
        _ => ("InvalidValue", format!("{e}"), None),
    };
    if let Some(p) = extra {
        parts.push(p);
    }
    FieldError {
        item,
        code: code.to_string(),
        path: parts.join("."),
        detail,
    }
}

/// Minimal RFC 6902 (`add`, `remove`, `replace`) — all spec-errata.json uses.
fn apply_patch(doc: &mut Value, patch: &Value) -> Result<(), String> {
    let op = patch.get("op").and_then(Value::as_str).ok_or("no op")?;
    let path = patch.get("path").and_then(Value::as_str).ok_or("no path")?;
    let (parent_ptr, last) = path.rsplit_once('/').ok_or("bad path")?;
    let last = last.replace("~1", "/").replace("~0", "~");
    let parent = doc
        .pointer_mut(parent_ptr)
        .ok_or_else(|| format!("no parent {parent_ptr}"))?;
    let value = || patch.get("value").cloned().ok_or("no value");
    match (op, parent) {
        ("remove", Value::Object(m)) => m
            .remove(&last)
            .map(|_| ())
            .ok_or("nothing to remove".into()),
        ("remove", Value::Array(a)) => {
            let i: usize = last.parse().map_err(|_| "bad index")?;
            if i < a.len() {
                a.remove(i);
                Ok(())
            } else {
                Err("index out of range".into())
            }
        }
        ("add", Value::Object(m)) => {
            m.insert(last, value()?);
            Ok(())
        }
        ("add", Value::Array(a)) => {
            if last == "-" {
                a.push(value()?);
            } else {
                let i: usize = last.parse().map_err(|_| "bad index")?;
                if i > a.len() {
                    return Err("index out of range".into());
                }
                a.insert(i, value()?);
            }
            Ok(())
        }
        ("replace", Value::Object(m)) => {
            if !m.contains_key(&last) {
                return Err("nothing to replace".into());
            }
            m.insert(last, value()?);
            Ok(())
        }
        ("replace", Value::Array(a)) => {
            let i: usize = last.parse().map_err(|_| "bad index")?;
            let slot = a.get_mut(i).ok_or("index out of range")?;
            *slot = value()?;
            Ok(())
        }
        (op, _) => Err(format!("unsupported op {op} or parent type")),
    }
}
