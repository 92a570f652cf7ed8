//! The committed SDL (`api-graphql/schema.graphql`) must equal the schema the code serves.
//! Regenerate it with `UPDATE_SCHEMA=1 cargo test -p weft-api-graphql --test schema`.

use std::path::Path;

#[test]
fn committed_schema_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let actual = weft_api_graphql::graphql::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &actual).expect("write schema.graphql");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != actual {
        let first_difference = committed
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(actual.lines().count()));
        panic!(
            "api-graphql/schema.graphql differs from the schema in the code (first at line {}: \
             committed `{}`, code `{}`).\nRegenerate it with: \
             UPDATE_SCHEMA=1 cargo test -p weft-api-graphql --test schema",
            first_difference + 1,
            committed.lines().nth(first_difference).unwrap_or("<end>"),
            actual.lines().nth(first_difference).unwrap_or("<end>"),
        );
    }
}
