//! n8n's item model: every node receives, per input, a list of items `{json, binary?, pairedItem}`
//! and returns one list per output. Lists are shared between nodes by reference ([`Items`]).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// JSON object of an item.
pub type JsonObject = Map<String, Value>;

/// A shared, immutable list of items: a node's output is handed to its children without copying.
pub type Items = Arc<Vec<Item>>;

/// Reference from an output item to the input item it was derived from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRef {
    /// Index of the item in the input list.
    pub item: u32,
    /// Input index of the node.
    #[serde(default)]
    pub input: u32,
}

/// Lineage of an item (`pairedItem` in n8n).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PairedItem {
    /// Unknown lineage.
    #[default]
    None,
    /// Derived from one input item.
    One(ItemRef),
    /// Derived from several input items.
    Many(Vec<ItemRef>),
}

impl PairedItem {
    /// Lineage pointing at input item `item` of input 0.
    pub fn item(item: usize) -> Self {
        Self::One(ItemRef {
            item: item as u32,
            input: 0,
        })
    }

    /// The first referenced input item, if any.
    pub fn first(&self) -> Option<ItemRef> {
        match self {
            Self::None => None,
            Self::One(r) => Some(*r),
            Self::Many(v) => v.first().copied(),
        }
    }

    /// Whether no lineage is recorded.
    pub fn is_none(&self) -> bool {
        match self {
            Self::None => true,
            Self::One(_) => false,
            Self::Many(v) => v.is_empty(),
        }
    }

    /// n8n's JSON form (`{"item":0,"input":0}`, an array of those, or `null`).
    pub fn to_json(&self) -> Value {
        let one = |r: &ItemRef| serde_json::json!({"item": r.item, "input": r.input});
        match self {
            Self::None => Value::Null,
            Self::One(r) => one(r),
            Self::Many(v) => Value::Array(v.iter().map(one).collect()),
        }
    }

    /// Parses n8n's JSON forms, including the bare number form.
    pub fn from_json(value: &Value) -> Self {
        let parse = |v: &Value| -> Option<ItemRef> {
            match v {
                Value::Number(n) => Some(ItemRef {
                    item: n.as_u64()? as u32,
                    input: 0,
                }),
                Value::Object(o) => Some(ItemRef {
                    item: o.get("item")?.as_u64()? as u32,
                    input: o.get("input").and_then(Value::as_u64).unwrap_or(0) as u32,
                }),
                _ => None,
            }
        };
        match value {
            Value::Array(list) => Self::Many(list.iter().filter_map(parse).collect()),
            other => parse(other).map_or(Self::None, Self::One),
        }
    }
}

impl Serialize for PairedItem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for PairedItem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::from_json(&Value::deserialize(d)?))
    }
}

/// One unit of data flowing between nodes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// The item's JSON object.
    #[serde(default)]
    pub json: JsonObject,
    /// Binary attachments by property name (`{data, mimeType, fileName?, …}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary: Option<JsonObject>,
    /// Lineage.
    #[serde(default, skip_serializing_if = "PairedItem::is_none")]
    pub paired_item: PairedItem,
}

impl Item {
    /// An item with this JSON and no lineage.
    pub fn new(json: JsonObject) -> Self {
        Self {
            json,
            binary: None,
            paired_item: PairedItem::None,
        }
    }

    /// An item with this JSON, derived from input item `index` of input 0.
    pub fn paired(json: JsonObject, index: usize) -> Self {
        Self {
            json,
            binary: None,
            paired_item: PairedItem::item(index),
        }
    }

    /// Wraps any JSON value into an item: objects become `json`, other values go under `data`
    /// (n8n wraps bare values the same way).
    pub fn from_value(value: Value) -> Self {
        match value {
            Value::Object(map) => Self::new(map),
            other => {
                let mut map = JsonObject::new();
                map.insert("data".into(), other);
                Self::new(map)
            }
        }
    }

    /// Reads an item in n8n's form: `{json, binary?, pairedItem?}`; an object without a `json`
    /// key is taken as the JSON itself.
    pub fn from_n8n(value: &Value) -> Self {
        match value {
            Value::Object(obj) if obj.get("json").is_some_and(Value::is_object) => Self {
                json: obj["json"].as_object().cloned().unwrap_or_default(),
                binary: obj.get("binary").and_then(Value::as_object).cloned(),
                paired_item: obj
                    .get("pairedItem")
                    .map(PairedItem::from_json)
                    .unwrap_or_default(),
            },
            other => Self::from_value(other.clone()),
        }
    }

    /// n8n's JSON form of the item.
    pub fn to_n8n(&self) -> Value {
        let mut map = JsonObject::new();
        map.insert("json".into(), Value::Object(self.json.clone()));
        if let Some(binary) = &self.binary {
            map.insert("binary".into(), Value::Object(binary.clone()));
        }
        if !self.paired_item.is_none() {
            map.insert("pairedItem".into(), self.paired_item.to_json());
        }
        Value::Object(map)
    }
}

/// Shares a freshly built list.
pub fn share(items: Vec<Item>) -> Items {
    Arc::new(items)
}

/// The empty list.
pub fn empty() -> Items {
    Arc::new(Vec::new())
}

/// Fills in missing lineage the way n8n's `assignPairedItems` does: one input item, equal
/// counts (output i from input i), or many input items reduced to one.
pub fn assign_paired_items(outputs: &mut [Vec<Item>], input_len: usize) {
    for output in outputs.iter_mut() {
        let out_len = output.len();
        for (i, item) in output.iter_mut().enumerate() {
            if !item.paired_item.is_none() {
                continue;
            }
            item.paired_item = if input_len == 1 {
                PairedItem::item(0)
            } else if input_len == out_len {
                PairedItem::item(i)
            } else if out_len == 1 && input_len > 1 {
                PairedItem::Many(
                    (0..input_len)
                        .map(|i| ItemRef {
                            item: i as u32,
                            input: 0,
                        })
                        .collect(),
                )
            } else {
                PairedItem::None
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paired_item_forms_round_trip() {
        assert_eq!(PairedItem::from_json(&json!(2)), PairedItem::item(2));
        let many = PairedItem::from_json(&json!([{"item": 1}, {"item": 0, "input": 1}]));
        assert_eq!(
            many.to_json(),
            json!([{"item": 1, "input": 0}, {"item": 0, "input": 1}])
        );
    }

    #[test]
    fn bare_values_are_wrapped() {
        assert_eq!(Item::from_n8n(&json!({"a": 1})).json["a"], 1);
        assert_eq!(Item::from_n8n(&json!({"json": {"b": 2}})).json["b"], 2);
        assert_eq!(Item::from_value(json!(5)).json["data"], 5);
    }

    #[test]
    fn paired_items_are_assigned() {
        let mut out = vec![vec![Item::default(), Item::default()]];
        assign_paired_items(&mut out, 2);
        assert_eq!(out[0][1].paired_item, PairedItem::item(1));
        let mut one = vec![vec![Item::default()]];
        assign_paired_items(&mut one, 3);
        assert!(matches!(&one[0][0].paired_item, PairedItem::Many(v) if v.len() == 3));
    }
}
