//! Workflows over real HTTP: create, edit, query, versions, diff, revert, promote, lists, audit,
//! node types, import and export. Runs on SQLite and Postgres.

mod common;

use common::{code, sample_definition, start};
use serde_json::json;
use weft_commands::{Backend, on_both_backends};

on_both_backends!(
    create_edit_and_read_back,
    versions_diff_and_revert,
    promotion_creates_the_launched_copy,
    list_filters_and_pages,
    audit_log_filters_by_actor_and_workflow,
    node_types_describe_ports_and_parameters,
    weft_export_imports_as_an_equal_workflow,
    n8n_import_with_known_types,
    activation_needs_a_listening_trigger,
);

const WORKFLOW: &str = "query($id: ID!) { workflow(id: $id) {
    id name description environment active archived version createdBy updatedBy
    definition {
        version
        nodes { id type typeVersion name position { x y } parameters disabled notes onError }
        connections { source sourceOutput target targetInput kind }
        settings { timezone executionOrder timeoutSeconds }
        variables pinData
    }
} }";

async fn create_edit_and_read_back(backend: Backend) {
    let server = start(backend).await;
    let id = server.create_sample("Orders").await;
    let edits = [
        (
            "mutation($id: ID!) { renameWorkflow(workflowId: $id, name: \"Orders v2\", expectedVersion: 1) { version eventTypes workflow { version } } }",
            "renameWorkflow",
        ),
        (
            "mutation($id: ID!) { describeWorkflow(workflowId: $id, description: \"Syncs orders\") { version eventTypes workflow { version } } }",
            "describeWorkflow",
        ),
        (
            "mutation($id: ID!) { addNode(workflowId: $id, node: {id: \"s\", type: \"n8n-nodes-base.set\", typeVersion: 3.4, name: \"Set\", position: {x: 400, y: 0}, parameters: {mode: \"raw\", jsonOutput: \"{}\"}}) { version eventTypes workflow { version } } }",
            "addNode",
        ),
        (
            "mutation($id: ID!) { addConnection(workflowId: $id, connection: {source: \"n\", target: \"s\"}) { version eventTypes workflow { version } } }",
            "addConnection",
        ),
        (
            "mutation($id: ID!) { moveNode(workflowId: $id, nodeId: \"s\", position: {x: 420, y: 40}) { version eventTypes workflow { version } } }",
            "moveNode",
        ),
        (
            "mutation($id: ID!) { updateNode(workflowId: $id, nodeId: \"n\", changes: {name: \"Pass\", notes: \"keeps items\", onError: CONTINUE_REGULAR_OUTPUT}) { version eventTypes workflow { version } } }",
            "updateNode",
        ),
        (
            "mutation($id: ID!) { changeSettings(workflowId: $id, settings: {timezone: \"Europe/Berlin\", timeoutSeconds: 60}) { version eventTypes workflow { version } } }",
            "changeSettings",
        ),
        (
            "mutation($id: ID!) { setVariables(workflowId: $id, variables: {region: \"eu\"}) { version eventTypes workflow { version } } }",
            "setVariables",
        ),
        (
            "mutation($id: ID!) { pinData(workflowId: $id, nodeId: \"t\", items: [{json: {a: 1}}]) { version eventTypes workflow { version } } }",
            "pinData",
        ),
    ];
    for (version, (mutation, field)) in (2..).zip(edits) {
        let data = server.data(mutation, json!({"id": id})).await;
        assert_eq!(data[field]["version"], version, "{field}: {data}");
        assert_eq!(data[field]["eventTypes"].as_array().unwrap().len(), 1);
    }
    let workflow = server.data(WORKFLOW, json!({"id": id})).await["workflow"].clone();
    assert_eq!(workflow["name"], "Orders v2");
    assert_eq!(workflow["description"], "Syncs orders");
    assert_eq!(workflow["environment"], "TESTING");
    assert_eq!(workflow["version"], 10);
    assert_eq!(workflow["createdBy"], format!("user:{}", server.owner_id));
    let definition = &workflow["definition"];
    assert_eq!(definition["version"], 10);
    assert_eq!(
        definition["nodes"][2]["position"],
        json!({"x": 420.0, "y": 40.0})
    );
    assert_eq!(definition["nodes"][2]["typeVersion"], 3.4);
    assert_eq!(definition["nodes"][1]["name"], "Pass");
    assert_eq!(definition["nodes"][1]["notes"], "keeps items");
    assert_eq!(definition["nodes"][1]["onError"], "CONTINUE_REGULAR_OUTPUT");
    assert_eq!(
        definition["connections"][1],
        json!({"source": "n", "sourceOutput": 0, "target": "s", "targetInput": 0, "kind": "MAIN"})
    );
    assert_eq!(
        definition["settings"],
        json!({"timezone": "Europe/Berlin", "executionOrder": "V1", "timeoutSeconds": 60})
    );
    assert_eq!(definition["variables"], json!({"region": "eu"}));
    assert_eq!(definition["pinData"], json!({"t": [{"json": {"a": 1}}]}));

    // The rest of the commands, each returning the new version and the workflow.
    let data = server
        .data(
            "mutation($id: ID!) {
                removeConnection(workflowId: $id, connection: {source: \"n\", target: \"s\"}) { version }
            }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(data["removeConnection"]["version"], 11);
    let data = server
        .data(
            "mutation($id: ID!) { removeNode(workflowId: $id, nodeId: \"s\") { version workflow { version definition { nodes { id } } } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(data["removeNode"]["version"], 12);
    assert_eq!(data["removeNode"]["workflow"]["version"], 12);
    assert_eq!(
        data["removeNode"]["workflow"]["definition"]["nodes"],
        json!([{"id": "t"}, {"id": "n"}])
    );
    let data = server
        .data(
            "mutation($id: ID!, $definition: JSON!) {
                replaceDefinition(workflowId: $id, definition: $definition, reason: IMPORT) { version eventTypes }
                pinData(workflowId: $id, nodeId: \"t\", items: null) { version eventTypes }
            }",
            json!({"id": id, "definition": sample_definition()}),
        )
        .await;
    assert_eq!(
        data["replaceDefinition"]["eventTypes"],
        json!(["DefinitionReplaced"])
    );
    assert_eq!(
        data["pinData"]["eventTypes"],
        json!([]),
        "already unpinned by the replace"
    );
    let data = server
        .data(
            "mutation($id: ID!) {
                archiveWorkflow(workflowId: $id) { version workflow { archived } }
            }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(data["archiveWorkflow"]["workflow"]["archived"], true);
    let data = server
        .data(
            "mutation($id: ID!) { restoreWorkflow(workflowId: $id) { version workflow { archived } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(data["restoreWorkflow"]["workflow"]["archived"], false);
    let error = server
        .error(
            "mutation($id: ID!) { activateWorkflow(workflowId: $id) { version } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(code(&error), "VALIDATION");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("no enabled trigger")
    );
}

async fn versions_diff_and_revert(backend: Backend) {
    let server = start(backend).await;
    let id = server.create_sample("Diffs").await;
    server
        .data(
            "mutation($id: ID!) {
                updateNode(workflowId: $id, nodeId: \"n\", changes: {parameters: {}, disabled: true}) { version }
            }",
            json!({"id": id}),
        )
        .await;
    server
        .data(
            "mutation($id: ID!) { removeNode(workflowId: $id, nodeId: \"t\") { version workflow { version } } }",
            json!({"id": id}),
        )
        .await;
    let data = server
        .data(
            "query($id: ID!) { workflow(id: $id) {
                versions { version eventType summary actor }
                first: definition(version: 1) { version nodes { id } connections { source } }
                diff(from: 1, to: 3) {
                    isEmpty
                    removedNodes { id name }
                    removedConnections { source target }
                    changedNodes { nodeId name changes { path before after } }
                }
                same: diff(from: 2, to: 2) { isEmpty }
            } }",
            json!({"id": id}),
        )
        .await;
    let workflow = &data["workflow"];
    let versions: Vec<_> = workflow["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["version"].as_u64().unwrap(),
                v["eventType"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        versions,
        [
            (1, "WorkflowCreated"),
            (2, "NodeUpdated"),
            (3, "NodeRemoved")
        ]
    );
    assert_eq!(
        workflow["versions"][0]["actor"],
        format!("user:{}", server.owner_id)
    );
    assert_eq!(
        workflow["first"]["nodes"],
        json!([{"id": "t"}, {"id": "n"}])
    );
    let diff = &workflow["diff"];
    assert_eq!(diff["isEmpty"], false);
    assert_eq!(diff["removedNodes"], json!([{"id": "t", "name": "Start"}]));
    assert_eq!(
        diff["removedConnections"],
        json!([{"source": "t", "target": "n"}])
    );
    assert_eq!(
        diff["changedNodes"],
        json!([{"nodeId": "n", "name": "Nothing", "changes": [{"path": "disabled", "before": false, "after": true}]}])
    );
    assert_eq!(workflow["same"]["isEmpty"], true);

    let data = server
        .data(
            "mutation($id: ID!) { revertWorkflow(workflowId: $id, version: 1, expectedVersion: 3) {
                version eventTypes workflow { definition { nodes { id disabled } } }
            } }",
            json!({"id": id}),
        )
        .await;
    let revert = &data["revertWorkflow"];
    assert_eq!(revert["version"], 4);
    assert_eq!(revert["eventTypes"], json!(["WorkflowReverted"]));
    assert_eq!(
        revert["workflow"]["definition"]["nodes"],
        json!([{"id": "t", "disabled": false}, {"id": "n", "disabled": false}])
    );
    let error = server
        .error(
            "query($id: ID!) { workflow(id: $id) { definition(version: 9) { version } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(code(&error), "VALIDATION");
    assert_eq!(error["extensions"]["currentVersion"], 4);
}

async fn promotion_creates_the_launched_copy(backend: Backend) {
    let server = start(backend).await;
    let id = server.create_sample("Promote me").await;
    let data = server
        .data(
            "mutation($id: ID!) { promoteWorkflow(workflowId: $id, targetEnvironment: LAUNCHED, expectedVersion: 1) {
                workflowId version promotedVersion targetWorkflowId targetVersion
                workflow { version }
                target { environment name version promotedFrom { workflowId version } definition { nodes { id } } }
            } }",
            json!({"id": id}),
        )
        .await;
    let promotion = &data["promoteWorkflow"];
    assert_eq!(promotion["version"], 2);
    assert_eq!(promotion["promotedVersion"], 1);
    assert_eq!(promotion["workflow"]["version"], 2);
    assert_eq!(promotion["targetVersion"], 1);
    let target = &promotion["target"];
    assert_eq!(target["environment"], "LAUNCHED");
    assert_eq!(target["name"], "Promote me");
    assert_eq!(
        target["promotedFrom"],
        json!({"workflowId": id, "version": 1})
    );
    assert_eq!(
        target["definition"]["nodes"],
        json!([{"id": "t"}, {"id": "n"}])
    );
    let error = server
        .error(
            "mutation($id: ID!) { promoteWorkflow(workflowId: $id, targetEnvironment: PRODUCTION) { version } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(code(&error), "VALIDATION");
    assert_eq!(
        error["message"],
        "cannot promote from testing to production"
    );
}

async fn list_filters_and_pages(backend: Backend) {
    let server = start(backend).await;
    let mut ids = Vec::new();
    for name in ["Alpha", "Beta", "Gamma", "Alphabet"] {
        ids.push(server.create_sample(name).await);
    }
    server
        .data(
            "mutation($id: ID!) { archiveWorkflow(workflowId: $id) { workflow { archived } } }",
            json!({"id": ids[1]}),
        )
        .await;
    let list = "query($first: Int, $after: String, $search: String, $archived: Boolean) {
        workflows(first: $first, after: $after, search: $search, archived: $archived, environment: TESTING) {
            items { id name } nextCursor
        }
    }";
    let page = server.data(list, json!({"first": 2})).await["workflows"].clone();
    assert_eq!(page["items"][0]["name"], "Alpha");
    assert_eq!(page["items"][1]["name"], "Gamma");
    let cursor = page["nextCursor"].as_str().unwrap().to_string();
    let page = server
        .data(list, json!({"first": 2, "after": cursor}))
        .await["workflows"]
        .clone();
    assert_eq!(page["items"], json!([{"id": ids[3], "name": "Alphabet"}]));
    assert_eq!(page["nextCursor"], json!(null));
    let found = server.data(list, json!({"search": "ALPHA"})).await["workflows"]["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(found, 2);
    let archived = server.data(list, json!({"archived": true})).await;
    assert_eq!(
        archived["workflows"]["items"],
        json!([{"id": ids[1], "name": "Beta"}])
    );
    let error = server.error(list, json!({"first": 0})).await;
    assert_eq!(code(&error), "VALIDATION");
    assert_eq!(error["message"], "`first` must be between 1 and 500");
}

async fn audit_log_filters_by_actor_and_workflow(backend: Backend) {
    let server = start(backend).await;
    let id = server.create_sample("Audited").await;
    let ada = server.create_user("ada", "EDITOR").await;
    let ada_actor = format!("user:{}", ada.id);
    let rename =
        "mutation($id: ID!) { renameWorkflow(workflowId: $id, name: \"Renamed\") { version } }";
    let response = server
        .request_as(Some(&ada.token), rename, json!({"id": id}))
        .await;
    assert!(response.get("errors").is_none(), "{response}");
    server.create_sample("Other").await;
    let audit = "query($actor: String, $workflowId: ID, $from: String, $after: String, $first: Int) {
        auditLog(actor: $actor, workflowId: $workflowId, from: $from, after: $after, first: $first) {
            items { aggregateId sequence eventType actor summary recordedAt correlationId } nextCursor
        }
    }";
    let data = server.data(audit, json!({"actor": ada_actor})).await;
    let items = data["auditLog"]["items"].as_array().unwrap();
    // Ada's sign-in, then her edit.
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["eventType"], "SessionStarted");
    assert_eq!(items[1]["aggregateId"], id);
    assert_eq!(items[1]["eventType"], "WorkflowRenamed");
    assert_eq!(items[1]["summary"], "renamed workflow to \"Renamed\"");
    let data = server
        .data(audit, json!({"workflowId": id, "first": 1}))
        .await;
    assert_eq!(data["auditLog"]["items"][0]["sequence"], 1);
    let cursor = data["auditLog"]["nextCursor"].clone();
    let data = server
        .data(audit, json!({"workflowId": id, "after": cursor}))
        .await;
    assert_eq!(data["auditLog"]["items"][0]["sequence"], 2);
    assert_eq!(data["auditLog"]["nextCursor"], json!(null));
    let data = server
        .data(audit, json!({"from": "2999-01-01T00:00:00+02:00"}))
        .await;
    assert_eq!(data["auditLog"]["items"], json!([]));
    let error = server.error(audit, json!({"from": "yesterday"})).await;
    assert_eq!(code(&error), "VALIDATION");
}

async fn node_types_describe_ports_and_parameters(backend: Backend) {
    let server = start(backend).await;
    let data = server
        .data(
            "{ nodeTypes { name displayName category versions trigger dynamicPorts ports { inputs outputs } parameters credentials { name required } } }",
            json!({}),
        )
        .await;
    let types = data["nodeTypes"].as_array().unwrap();
    let find = |name: &str| types.iter().find(|t| t["name"] == name).unwrap().clone();
    let webhook = find("n8n-nodes-base.webhook");
    assert_eq!(webhook["category"], "trigger");
    assert_eq!(webhook["trigger"], "webhook");
    let condition = find("n8n-nodes-base.if");
    assert_eq!(condition["ports"]["outputs"].as_array().unwrap().len(), 2);
    let switch = find("n8n-nodes-base.switch");
    assert_eq!(switch["dynamicPorts"], true);
    let http = find("n8n-nodes-base.httpRequest");
    assert!(
        http["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "url" && p["required"] == true),
        "{http:#}"
    );
}

async fn weft_export_imports_as_an_equal_workflow(backend: Backend) {
    let server = start(backend).await;
    let id = server.create_sample("Exported").await;
    server
        .data(
            "mutation($id: ID!) { setVariables(workflowId: $id, variables: {k: 1}) { version } }",
            json!({"id": id}),
        )
        .await;
    let data = server
        .data(
            "mutation($id: ID!) { now: exportWorkflow(workflowId: $id) first: exportWorkflow(workflowId: $id, version: 1) }",
            json!({"id": id}),
        )
        .await;
    let document = data["now"].clone();
    assert_eq!(document["name"], "Exported");
    assert_eq!(document["variables"], json!({"k": 1}));
    assert_eq!(data["first"]["variables"], json!({}));
    let data = server
        .data(
            "mutation($document: JSON!) { importWorkflow(document: $document, name: \"Copy\") { workflowId version } }",
            json!({"document": document}),
        )
        .await;
    let copy = data["importWorkflow"]["workflowId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(copy, id);
    let data = server
        .data(
            "mutation($id: ID!) { exportWorkflow(workflowId: $id) }",
            json!({"id": copy}),
        )
        .await;
    let mut expected = document;
    expected["name"] = json!("Copy");
    assert_eq!(data["exportWorkflow"], expected);
}

async fn n8n_import_with_known_types(backend: Backend) {
    let server = start(backend).await;
    let document = json!({
        "name": "From n8n",
        "nodes": [
            {"id": "a1", "name": "When clicking", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
            {"id": "b2", "name": "No Op", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [200, 0], "parameters": {}}
        ],
        "connections": {"When clicking": {"main": [[{"node": "No Op", "type": "main", "index": 0}]]}},
        "settings": {"executionOrder": "v1"}
    });
    let data = server
        .data(
            "mutation($document: JSON!) { importWorkflow(document: $document, format: N8N) {
                version workflow { name definition { nodes { id name } connections { source target } settings { executionOrder } } }
            } }",
            json!({"document": document}),
        )
        .await;
    let workflow = &data["importWorkflow"]["workflow"];
    assert_eq!(workflow["name"], "From n8n");
    assert_eq!(
        workflow["definition"]["connections"],
        json!([{"source": "a1", "target": "b2"}])
    );
    assert_eq!(workflow["definition"]["settings"]["executionOrder"], "V1");
    let mut unknown = document.clone();
    unknown["nodes"][1]["type"] = json!("n8n-nodes-base.airtable");
    unknown["nodes"][1]["typeVersion"] = json!(2);
    let error = server
        .error(
            "mutation($document: JSON!) { importWorkflow(document: $document, format: N8N) { version } }",
            json!({"document": unknown}),
        )
        .await;
    assert_eq!(code(&error), "VALIDATION");
    assert_eq!(
        error["message"],
        "unknown node types: n8n-nodes-base.airtable v2 (node \"No Op\")"
    );
    let listed = server
        .data("{ workflows { items { name } } }", json!({}))
        .await;
    assert_eq!(listed["workflows"]["items"], json!([{"name": "From n8n"}]));
}

async fn activation_needs_a_listening_trigger(backend: Backend) {
    let server = start(backend).await;
    let id = server.create_sample("Hooked").await;
    let add = "mutation($id: ID!) { addNode(workflowId: $id, node: {id: \"w\", type: \"n8n-nodes-base.webhook\", typeVersion: 2, name: \"Hook\", parameters: {path: \"orders\"}}) { version } }";
    server.data(add, json!({"id": id})).await;
    let activate = "mutation($id: ID!) { activateWorkflow(workflowId: $id, expectedVersion: 2) { version eventTypes workflow { active } } }";
    let data = server.data(activate, json!({"id": id})).await;
    assert_eq!(data["activateWorkflow"]["version"], 3);
    assert_eq!(data["activateWorkflow"]["workflow"]["active"], true);
    let active = server
        .data("{ workflows(active: true) { items { name } } }", json!({}))
        .await;
    assert_eq!(active["workflows"]["items"], json!([{"name": "Hooked"}]));
    let data = server
        .data(
            "mutation($id: ID!) { deactivateWorkflow(workflowId: $id) { version workflow { active } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(data["deactivateWorkflow"]["version"], 4);
    assert_eq!(data["deactivateWorkflow"]["workflow"]["active"], false);
}
