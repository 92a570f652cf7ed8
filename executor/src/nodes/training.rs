//! Customer Datastore (n8n training): a built-in mock data source used by tutorials and tests.

use serde_json::json;

use super::{NodeContext, NodeOutput, NodeType};
use crate::error::NodeError;
use crate::item::{Item, PairedItem};

/// The training datastore node.
pub struct CustomerDatastore;

fn people() -> Vec<serde_json::Value> {
    let person = |id: &str,
                  name: &str,
                  email: &str,
                  notes: &str,
                  country: Option<&str>,
                  created: &str| {
        json!({"id": id, "name": name, "email": email, "notes": notes, "country": country, "created": created})
    };
    vec![
        person(
            "23423532",
            "Jay Gatsby",
            "gatsby@west-egg.com",
            "Keeps asking about a green light??",
            Some("US"),
            "1925-04-10",
        ),
        person(
            "23423533",
            "José Arcadio Buendía",
            "jab@macondo.co",
            "Lots of people named after him. Very confusing",
            Some("CO"),
            "1967-05-05",
        ),
        person(
            "23423534",
            "Max Sendak",
            "info@in-and-out-of-weeks.org",
            "Keeps rolling his terrible eyes",
            Some("US"),
            "1963-04-09",
        ),
        person(
            "23423535",
            "Zaphod Beeblebrox",
            "captain@heartofgold.com",
            "Felt like I was talking to more than one person",
            None,
            "1979-10-12",
        ),
        person(
            "23423536",
            "Edmund Pevensie",
            "edmund@narnia.gov",
            "Passionate sailor",
            Some("UK"),
            "1950-10-16",
        ),
    ]
}

impl NodeType for CustomerDatastore {
    fn execute(&self, ctx: &mut NodeContext<'_>) -> Result<NodeOutput, NodeError> {
        let mut out = Vec::new();
        for index in 0..ctx.items().len() {
            if ctx.string("operation", index, "getOnePerson")? != "getAllPeople" {
                out.push(Item {
                    paired_item: PairedItem::item(index),
                    ..Item::from_value(people()[0].clone())
                });
                continue;
            }
            let limit = if ctx.boolean("returnAll", index, false)? {
                usize::MAX
            } else {
                ctx.number("limit", index, 5.0)? as usize
            };
            out.extend(people().into_iter().take(limit).map(|p| Item {
                paired_item: PairedItem::item(index),
                ..Item::from_value(p)
            }));
        }
        Ok(vec![out])
    }
}
