//! Given/when/then tests for every workflow command and invariant, including rebase and conflict.

use cqrs_es::test::TestFramework;
use serde_json::json;

use super::*;
use crate::definition::{Connection, ConnectionKind, Node};

type Fixture = TestFramework<Workflow>;

fn fixture() -> Fixture {
    TestFramework::with(WorkflowServices::default())
}

fn node(id: &str, node_type: &str) -> Node {
    let mut node = Node::new(
        id,
        &format!("n8n-nodes-base.{node_type}"),
        &format!("{node_type} {id}"),
    );
    if node_type == "webhook" {
        node.parameters = json!({ "path": id });
    }
    node
}

fn link(source: &str, output: u32, target: &str) -> Connection {
    Connection {
        source: source.into(),
        source_output: output,
        target: target.into(),
        target_input: 0,
        kind: ConnectionKind::Main,
    }
}

fn created() -> WorkflowEvent {
    WorkflowEvent::WorkflowCreated {
        name: "Flow".into(),
        description: String::new(),
        definition: Default::default(),
    }
}

/// Created, then a webhook → if → set graph (versions 1..=6).
fn graph() -> Vec<WorkflowEvent> {
    vec![
        created(),
        WorkflowEvent::NodeAdded {
            node: node("w", "webhook"),
        },
        WorkflowEvent::NodeAdded {
            node: node("i", "if"),
        },
        WorkflowEvent::NodeAdded {
            node: node("s", "set"),
        },
        WorkflowEvent::ConnectionAdded {
            connection: link("w", 0, "i"),
        },
        WorkflowEvent::ConnectionAdded {
            connection: link("i", 1, "s"),
        },
    ]
}

fn cmd(action: WorkflowAction) -> WorkflowCommand {
    WorkflowCommand::new(action)
}

#[test]
fn create_records_the_workflow() {
    fixture()
        .given_no_previous_events()
        .when(cmd(WorkflowAction::CreateWorkflow {
            name: "Flow".into(),
            description: String::new(),
            definition: Default::default(),
        }))
        .then_expect_events(vec![created()]);
}

#[test]
fn create_twice_is_rejected() {
    fixture()
        .given(vec![created()])
        .when(cmd(WorkflowAction::CreateWorkflow {
            name: "Again".into(),
            description: String::new(),
            definition: Default::default(),
        }))
        .then_expect_error(WorkflowError::AlreadyExists);
}

#[test]
fn create_with_empty_name_is_rejected() {
    let result = fixture()
        .given_no_previous_events()
        .when(cmd(WorkflowAction::CreateWorkflow {
            name: "  ".into(),
            description: String::new(),
            definition: Default::default(),
        }))
        .inspect_result();
    assert!(matches!(result, Err(WorkflowError::InvalidName(_))));
}

#[test]
fn commands_on_a_missing_workflow_are_not_found() {
    fixture()
        .given_no_previous_events()
        .when(cmd(WorkflowAction::RenameWorkflow { name: "x".into() }))
        .then_expect_error(WorkflowError::NotFound);
}

#[test]
fn rename_and_describe() {
    fixture()
        .given(vec![created()])
        .when(cmd(WorkflowAction::RenameWorkflow { name: "New".into() }))
        .then_expect_events(vec![WorkflowEvent::WorkflowRenamed { name: "New".into() }]);
    fixture()
        .given(vec![created()])
        .when(cmd(WorkflowAction::DescribeWorkflow {
            description: "does things".into(),
        }))
        .then_expect_events(vec![WorkflowEvent::WorkflowDescribed {
            description: "does things".into(),
        }]);
}

#[test]
fn renaming_to_the_same_name_records_nothing() {
    fixture()
        .given(vec![created()])
        .when(cmd(WorkflowAction::RenameWorkflow {
            name: "Flow".into(),
        }))
        .then_expect_events(vec![]);
}

#[test]
fn add_node_records_it() {
    fixture()
        .given(vec![created()])
        .when(cmd(WorkflowAction::AddNode {
            node: node("a", "set"),
        }))
        .then_expect_events(vec![WorkflowEvent::NodeAdded {
            node: node("a", "set"),
        }]);
}

#[test]
fn node_ids_and_names_are_unique() {
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::AddNode {
            node: node("s", "noOp"),
        }))
        .then_expect_error(WorkflowError::DuplicateNodeId("s".into()));
    let mut twin = node("s2", "set");
    twin.name = "set s".into();
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::AddNode { node: twin }))
        .then_expect_error(WorkflowError::DuplicateNodeName("set s".into()));
}

#[test]
fn unknown_node_types_are_rejected() {
    let mut unknown = node("x", "set");
    unknown.node_type = "acme.teleport".into();
    fixture()
        .given(vec![created()])
        .when(cmd(WorkflowAction::AddNode { node: unknown }))
        .then_expect_error(WorkflowError::UnknownNodeType {
            node: "set x".into(),
            node_type: "acme.teleport".into(),
            version: 1.0,
        });
    let mut future = node("y", "set");
    future.type_version = 99.0;
    let result = fixture()
        .given(vec![created()])
        .when(cmd(WorkflowAction::AddNode { node: future }))
        .inspect_result();
    assert!(
        matches!(result, Err(WorkflowError::UnknownNodeType { version, .. }) if version == 99.0)
    );
}

#[test]
fn parameters_must_be_an_object() {
    let mut bad = node("x", "set");
    bad.parameters = json!([1, 2]);
    fixture()
        .given(vec![created()])
        .when(cmd(WorkflowAction::AddNode { node: bad }))
        .then_expect_error(WorkflowError::InvalidParameters("set x".into()));
}

#[test]
fn remove_node_takes_its_connections_along() {
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::RemoveNode {
            node_id: "i".into(),
        }))
        .then_expect_events(vec![WorkflowEvent::NodeRemoved {
            node_id: "i".into(),
            removed_connections: vec![link("w", 0, "i"), link("i", 1, "s")],
        }]);
}

#[test]
fn removing_a_missing_node_is_rejected() {
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::RemoveNode {
            node_id: "zz".into(),
        }))
        .then_expect_error(WorkflowError::NodeNotFound("zz".into()));
}

#[test]
fn move_node_records_the_position_and_skips_no_ops() {
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::MoveNode {
            node_id: "s".into(),
            position: [10.0, 20.0],
        }))
        .then_expect_events(vec![WorkflowEvent::NodeMoved {
            node_id: "s".into(),
            position: [10.0, 20.0],
        }]);
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::MoveNode {
            node_id: "s".into(),
            position: [0.0, 0.0],
        }))
        .then_expect_events(vec![]);
    let result = fixture()
        .given(graph())
        .when(cmd(WorkflowAction::MoveNode {
            node_id: "s".into(),
            position: [f64::NAN, 0.0],
        }))
        .inspect_result();
    assert!(matches!(result, Err(WorkflowError::InvalidParameters(_))));
}

#[test]
fn update_node_keeps_only_real_changes() {
    let changes = NodeChanges {
        parameters: Some(json!({"mode": "raw"})),
        disabled: Some(false),
        notes: Some("hello".into()),
        ..Default::default()
    };
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::UpdateNode {
            node_id: "s".into(),
            changes,
        }))
        .then_expect_events(vec![WorkflowEvent::NodeUpdated {
            node_id: "s".into(),
            changes: NodeChanges {
                parameters: Some(json!({"mode": "raw"})),
                notes: Some("hello".into()),
                ..Default::default()
            },
        }]);
}

#[test]
fn renaming_a_node_onto_another_name_is_rejected() {
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::UpdateNode {
            node_id: "s".into(),
            changes: NodeChanges {
                name: Some("if i".into()),
                ..Default::default()
            },
        }))
        .then_expect_error(WorkflowError::DuplicateNodeName("if i".into()));
}

#[test]
fn connections_need_existing_nodes_and_ports() {
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::AddConnection {
            connection: link("i", 0, "nope"),
        }))
        .then_expect_error(WorkflowError::NodeNotFound("nope".into()));
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::AddConnection {
            connection: link("i", 2, "s"),
        }))
        .then_expect_error(WorkflowError::PortNotFound {
            node: "i".into(),
            port: "output 2".into(),
        });
    let mut into_second_input = link("i", 0, "s");
    into_second_input.target_input = 1;
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::AddConnection {
            connection: into_second_input,
        }))
        .then_expect_error(WorkflowError::PortNotFound {
            node: "s".into(),
            port: "input 1".into(),
        });
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::AddConnection {
            connection: link("s", 0, "w"),
        }))
        .then_expect_error(WorkflowError::PortNotFound {
            node: "w".into(),
            port: "input 0".into(),
        });
}

#[test]
fn connections_are_added_once_and_removed_when_present() {
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::AddConnection {
            connection: link("i", 0, "s"),
        }))
        .then_expect_events(vec![WorkflowEvent::ConnectionAdded {
            connection: link("i", 0, "s"),
        }]);
    let result = fixture()
        .given(graph())
        .when(cmd(WorkflowAction::AddConnection {
            connection: link("w", 0, "i"),
        }))
        .inspect_result();
    assert!(matches!(result, Err(WorkflowError::DuplicateConnection(_))));
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::RemoveConnection {
            connection: link("w", 0, "i"),
        }))
        .then_expect_events(vec![WorkflowEvent::ConnectionRemoved {
            connection: link("w", 0, "i"),
        }]);
    let result = fixture()
        .given(graph())
        .when(cmd(WorkflowAction::RemoveConnection {
            connection: link("i", 0, "s"),
        }))
        .inspect_result();
    assert!(matches!(result, Err(WorkflowError::ConnectionNotFound(_))));
}

#[test]
fn error_connections_leave_the_error_output() {
    let error_link = Connection {
        kind: ConnectionKind::Error,
        ..link("s", 0, "i")
    };
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::AddConnection {
            connection: error_link.clone(),
        }))
        .then_expect_events(vec![WorkflowEvent::ConnectionAdded {
            connection: error_link,
        }]);
    let second_error_output = Connection {
        kind: ConnectionKind::Error,
        ..link("s", 1, "i")
    };
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::AddConnection {
            connection: second_error_output,
        }))
        .then_expect_error(WorkflowError::PortNotFound {
            node: "s".into(),
            port: "error output 1".into(),
        });
}

#[test]
fn shrinking_switch_outputs_under_a_connection_is_rejected() {
    let mut switch = node("sw", "switch");
    switch.type_version = 3.0;
    switch.parameters = json!({"rules": {"values": [{}, {}, {}]}});
    let mut events = graph();
    events.push(WorkflowEvent::NodeAdded { node: switch });
    events.push(WorkflowEvent::ConnectionAdded {
        connection: link("sw", 2, "s"),
    });
    fixture()
        .given(events)
        .when(cmd(WorkflowAction::UpdateNode {
            node_id: "sw".into(),
            changes: NodeChanges {
                parameters: Some(json!({"rules": {"values": [{}]}})),
                ..Default::default()
            },
        }))
        .then_expect_error(WorkflowError::PortNotFound {
            node: "sw".into(),
            port: "output 2".into(),
        });
}

#[test]
fn replace_definition_is_validated_whole() {
    let mut definition = WorkflowDefinition::default();
    definition.nodes.push(node("a", "set"));
    definition.connections.push(link("a", 0, "b"));
    fixture()
        .given(vec![created()])
        .when(cmd(WorkflowAction::ReplaceDefinition {
            definition: definition.clone(),
            reason: ReplaceReason::Import,
        }))
        .then_expect_error(WorkflowError::NodeNotFound("b".into()));
    definition.nodes.push(node("b", "noOp"));
    fixture()
        .given(vec![created()])
        .when(cmd(WorkflowAction::ReplaceDefinition {
            definition: definition.clone(),
            reason: ReplaceReason::Assistant,
        }))
        .then_expect_events(vec![WorkflowEvent::DefinitionReplaced {
            definition,
            reason: ReplaceReason::Assistant,
        }]);
}

#[test]
fn settings_variables_and_pinned_data() {
    let settings = crate::definition::WorkflowSettings {
        timezone: Some("Europe/Berlin".into()),
        ..Default::default()
    };
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::ChangeSettings {
            settings: settings.clone(),
        }))
        .then_expect_events(vec![WorkflowEvent::SettingsChanged { settings }]);
    let variables = [("region".to_string(), json!("eu"))].into();
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::SetVariables { variables }))
        .then_expect_events(vec![WorkflowEvent::VariablesSet {
            variables: [("region".to_string(), json!("eu"))].into(),
        }]);
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::PinData {
            node_id: "w".into(),
            items: Some(vec![json!({"json": {"a": 1}})]),
        }))
        .then_expect_events(vec![WorkflowEvent::DataPinned {
            node_id: "w".into(),
            items: vec![json!({"json": {"a": 1}})],
        }]);
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::PinData {
            node_id: "w".into(),
            items: None,
        }))
        .then_expect_events(vec![]);
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::PinData {
            node_id: "ghost".into(),
            items: None,
        }))
        .then_expect_error(WorkflowError::NodeNotFound("ghost".into()));
}

#[test]
fn activation_needs_a_listening_trigger() {
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::ActivateWorkflow))
        .then_expect_events(vec![WorkflowEvent::WorkflowActivated]);
    let manual_only = vec![
        created(),
        WorkflowEvent::NodeAdded {
            node: node("m", "manualTrigger"),
        },
    ];
    fixture()
        .given(manual_only)
        .when(cmd(WorkflowAction::ActivateWorkflow))
        .then_expect_error(WorkflowError::NoActivatableTrigger);
    let mut disabled = graph();
    disabled.push(WorkflowEvent::NodeUpdated {
        node_id: "w".into(),
        changes: NodeChanges {
            disabled: Some(true),
            ..Default::default()
        },
    });
    fixture()
        .given(disabled)
        .when(cmd(WorkflowAction::ActivateWorkflow))
        .then_expect_error(WorkflowError::NoActivatableTrigger);
}

#[test]
fn activation_refuses_triggers_that_cannot_work() {
    let mut bad_cron = node("s", "scheduleTrigger");
    bad_cron.parameters = json!({ "rule": { "interval": [{ "field": "cronExpression", "expression": "99 * * * *" }] } });
    fixture()
        .given(vec![created(), WorkflowEvent::NodeAdded { node: bad_cron }])
        .when(cmd(WorkflowAction::ActivateWorkflow))
        .then_expect_error_message("trigger `scheduleTrigger s`: cron expression `99 * * * *`: Component error: Number out of bounds.");
}

#[test]
fn an_active_workflow_refuses_an_edit_that_breaks_its_trigger() {
    let mut active = graph();
    active.push(WorkflowEvent::WorkflowActivated);
    let breaking = cmd(WorkflowAction::UpdateNode {
        node_id: "w".into(),
        changes: NodeChanges {
            parameters: Some(json!({ "path": "" })),
            ..Default::default()
        },
    });
    fixture()
        .given(active)
        .when(breaking.clone())
        .then_expect_error_message("trigger `webhook w`: the webhook path is empty");
    // The same edit is fine while the workflow is inactive: drafts may be incomplete.
    fixture()
        .given(graph())
        .when(breaking)
        .then_expect_events(vec![WorkflowEvent::NodeUpdated {
            node_id: "w".into(),
            changes: NodeChanges {
                parameters: Some(json!({ "path": "" })),
                ..Default::default()
            },
        }]);
}

#[test]
fn activation_toggles_are_idempotent() {
    let mut active = graph();
    active.push(WorkflowEvent::WorkflowActivated);
    fixture()
        .given(active.clone())
        .when(cmd(WorkflowAction::ActivateWorkflow))
        .then_expect_events(vec![]);
    fixture()
        .given(active)
        .when(cmd(WorkflowAction::DeactivateWorkflow))
        .then_expect_events(vec![WorkflowEvent::WorkflowDeactivated]);
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::DeactivateWorkflow))
        .then_expect_events(vec![]);
}

#[test]
fn archiving_deactivates_and_blocks_edits_until_restored() {
    let mut active = graph();
    active.push(WorkflowEvent::WorkflowActivated);
    fixture()
        .given(active)
        .when(cmd(WorkflowAction::ArchiveWorkflow))
        .then_expect_events(vec![
            WorkflowEvent::WorkflowDeactivated,
            WorkflowEvent::WorkflowArchived,
        ]);
    let mut archived = graph();
    archived.push(WorkflowEvent::WorkflowArchived);
    fixture()
        .given(archived.clone())
        .when(cmd(WorkflowAction::AddNode {
            node: node("n", "noOp"),
        }))
        .then_expect_error(WorkflowError::Archived);
    fixture()
        .given(archived.clone())
        .when(cmd(WorkflowAction::ActivateWorkflow))
        .then_expect_error(WorkflowError::Archived);
    fixture()
        .given(archived)
        .when(cmd(WorkflowAction::RestoreWorkflow))
        .then_expect_events(vec![WorkflowEvent::WorkflowRestored]);
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::RestoreWorkflow))
        .then_expect_events(vec![]);
}

#[test]
fn revert_records_a_new_event_for_an_existing_version() {
    let definition = fold_definition(graph().iter().take(3));
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::RevertToVersion {
            version: 3,
            definition: definition.clone(),
        }))
        .then_expect_events(vec![WorkflowEvent::WorkflowReverted {
            to_version: 3,
            definition,
        }]);
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::RevertToVersion {
            version: 7,
            definition: Default::default(),
        }))
        .then_expect_error(WorkflowError::VersionNotFound {
            requested: 7,
            current: 6,
        });
}

#[test]
fn promotion_goes_one_environment_at_a_time() {
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::PromoteWorkflow {
            target_environment: Environment::Launched,
            target_workflow_id: "L".into(),
        }))
        .then_expect_events(vec![WorkflowEvent::WorkflowPromoted {
            target_workflow_id: "L".into(),
            target_environment: Environment::Launched,
            source_version: 6,
        }]);
    fixture()
        .given(graph())
        .when(cmd(WorkflowAction::PromoteWorkflow {
            target_environment: Environment::Production,
            target_workflow_id: "P".into(),
        }))
        .then_expect_error(WorkflowError::InvalidPromotion {
            from: Environment::Testing,
            to: Environment::Production,
        });
    let mut promoted = graph();
    promoted.push(WorkflowEvent::WorkflowPromoted {
        target_workflow_id: "L".into(),
        target_environment: Environment::Launched,
        source_version: 6,
    });
    fixture()
        .given(promoted)
        .when(cmd(WorkflowAction::PromoteWorkflow {
            target_environment: Environment::Launched,
            target_workflow_id: "other".into(),
        }))
        .then_expect_error(WorkflowError::PromotionTargetMismatch {
            environment: Environment::Launched,
            existing: "L".into(),
        });
}

fn production() -> Vec<WorkflowEvent> {
    vec![WorkflowEvent::PromotionAccepted {
        source_workflow_id: "L".into(),
        source_version: 4,
        environment: Environment::Production,
        name: "Flow".into(),
        description: String::new(),
        definition: fold_definition(graph().iter()),
    }]
}

#[test]
fn accepting_a_promotion_creates_the_target_and_records_its_parent() {
    let accept = WorkflowAction::AcceptPromotion {
        source_workflow_id: "L".into(),
        source_version: 4,
        environment: Environment::Production,
        name: "Flow".into(),
        description: String::new(),
        definition: fold_definition(graph().iter()),
    };
    fixture()
        .given_no_previous_events()
        .when(cmd(accept.clone()))
        .then_expect_events(production());
    let mut state = Workflow::default();
    for event in production() {
        cqrs_es::Aggregate::apply(&mut state, event);
    }
    assert_eq!(
        state.promoted_from,
        Some(PromotionSource {
            workflow_id: "L".into(),
            version: 4
        })
    );
    assert_eq!(state.environment, Environment::Production);
    let other_source = WorkflowAction::AcceptPromotion {
        source_workflow_id: "X".into(),
        source_version: 1,
        environment: Environment::Production,
        name: "Flow".into(),
        description: String::new(),
        definition: Default::default(),
    };
    fixture()
        .given(production())
        .when(cmd(other_source))
        .then_expect_error(WorkflowError::PromotionSourceMismatch {
            expected: "L".into(),
            actual: "X".into(),
        });
}

#[test]
fn production_is_edited_only_by_promotion() {
    for action in [
        WorkflowAction::AddNode {
            node: node("n", "noOp"),
        },
        WorkflowAction::RenameWorkflow {
            name: "Hacked".into(),
        },
        WorkflowAction::ReplaceDefinition {
            definition: Default::default(),
            reason: ReplaceReason::Editor,
        },
        WorkflowAction::RevertToVersion {
            version: 1,
            definition: Default::default(),
        },
    ] {
        fixture()
            .given(production())
            .when(cmd(action))
            .then_expect_error(WorkflowError::ProductionIsReadOnly);
    }
    fixture()
        .given(production())
        .when(cmd(WorkflowAction::ActivateWorkflow))
        .then_expect_events(vec![WorkflowEvent::WorkflowActivated]);
    fixture()
        .given(production())
        .when(cmd(WorkflowAction::PromoteWorkflow {
            target_environment: Environment::Production,
            target_workflow_id: "Z".into(),
        }))
        .then_expect_error(WorkflowError::InvalidPromotion {
            from: Environment::Production,
            to: Environment::Production,
        });
}

// ---- concurrency: rebase and conflict ----

fn at(version: u64, action: WorkflowAction) -> WorkflowCommand {
    WorkflowCommand::at(version, action)
}

fn set_params(node_id: &str, value: serde_json::Value) -> WorkflowAction {
    WorkflowAction::UpdateNode {
        node_id: node_id.into(),
        changes: NodeChanges {
            parameters: Some(value),
            ..Default::default()
        },
    }
}

#[test]
fn an_edit_of_another_node_is_rebased() {
    let mut events = graph();
    events.push(WorkflowEvent::NodeUpdated {
        node_id: "i".into(),
        changes: NodeChanges {
            parameters: Some(json!({"a": 1})),
            ..Default::default()
        },
    });
    fixture()
        .given(events)
        .when(at(6, set_params("s", json!({"b": 2}))))
        .then_expect_events(vec![WorkflowEvent::NodeUpdated {
            node_id: "s".into(),
            changes: NodeChanges {
                parameters: Some(json!({"b": 2})),
                ..Default::default()
            },
        }]);
}

#[test]
fn moving_a_node_while_another_user_edits_its_parameters_is_rebased() {
    let mut events = graph();
    events.push(WorkflowEvent::NodeUpdated {
        node_id: "s".into(),
        changes: NodeChanges {
            parameters: Some(json!({"a": 1})),
            ..Default::default()
        },
    });
    fixture()
        .given(events)
        .when(at(
            6,
            WorkflowAction::MoveNode {
                node_id: "s".into(),
                position: [5.0, 5.0],
            },
        ))
        .then_expect_events(vec![WorkflowEvent::NodeMoved {
            node_id: "s".into(),
            position: [5.0, 5.0],
        }]);
}

#[test]
fn editing_the_same_field_concurrently_is_a_conflict_with_the_current_version() {
    let mut events = graph();
    events.push(WorkflowEvent::NodeUpdated {
        node_id: "s".into(),
        changes: NodeChanges {
            parameters: Some(json!({"a": 1})),
            ..Default::default()
        },
    });
    fixture()
        .given(events)
        .when(at(6, set_params("s", json!({"a": 2}))))
        .then_expect_error(WorkflowError::Conflict {
            expected: 6,
            current: 7,
            overlapping: vec!["parameters of node s".into()],
        });
}

#[test]
fn editing_a_node_that_was_removed_meanwhile_is_a_conflict() {
    let mut events = graph();
    events.push(WorkflowEvent::NodeRemoved {
        node_id: "s".into(),
        removed_connections: vec![link("i", 1, "s")],
    });
    let result = fixture()
        .given(events)
        .when(at(6, set_params("s", json!({"a": 2}))))
        .inspect_result();
    assert!(matches!(
        result,
        Err(WorkflowError::Conflict { current: 7, .. })
    ));
}

#[test]
fn removing_a_node_someone_just_edited_is_a_conflict() {
    let mut events = graph();
    events.push(WorkflowEvent::NodeUpdated {
        node_id: "s".into(),
        changes: NodeChanges {
            notes: Some("keep me".into()),
            ..Default::default()
        },
    });
    let result = fixture()
        .given(events)
        .when(at(
            6,
            WorkflowAction::RemoveNode {
                node_id: "s".into(),
            },
        ))
        .inspect_result();
    assert!(matches!(result, Err(WorkflowError::Conflict { .. })));
}

#[test]
fn removing_a_node_that_gained_a_connection_meanwhile_is_a_conflict() {
    let mut events = graph();
    events.push(WorkflowEvent::ConnectionAdded {
        connection: link("i", 0, "s"),
    });
    let result = fixture()
        .given(events)
        .when(at(
            6,
            WorkflowAction::RemoveNode {
                node_id: "s".into(),
            },
        ))
        .inspect_result();
    assert!(matches!(result, Err(WorkflowError::Conflict { .. })));
}

#[test]
fn a_connection_to_a_node_that_was_removed_meanwhile_is_a_conflict() {
    let mut events = graph();
    events.push(WorkflowEvent::NodeAdded {
        node: node("n", "noOp"),
    });
    events.push(WorkflowEvent::NodeRemoved {
        node_id: "n".into(),
        removed_connections: vec![],
    });
    let result = fixture()
        .given(events)
        .when(at(
            7,
            WorkflowAction::AddConnection {
                connection: link("s", 0, "n"),
            },
        ))
        .inspect_result();
    assert!(matches!(
        result,
        Err(WorkflowError::Conflict { current: 8, .. })
    ));
}

#[test]
fn a_replaced_definition_conflicts_with_every_older_edit_but_not_with_activation() {
    let mut events = graph();
    events.push(WorkflowEvent::DefinitionReplaced {
        definition: fold_definition(graph().iter()),
        reason: ReplaceReason::Import,
    });
    let result = fixture()
        .given(events.clone())
        .when(at(
            6,
            WorkflowAction::MoveNode {
                node_id: "s".into(),
                position: [1.0, 1.0],
            },
        ))
        .inspect_result();
    assert!(matches!(result, Err(WorkflowError::Conflict { .. })));
    fixture()
        .given(events)
        .when(at(6, WorkflowAction::ActivateWorkflow))
        .then_expect_events(vec![WorkflowEvent::WorkflowActivated]);
}

#[test]
fn promoting_a_stale_version_is_a_conflict() {
    let mut events = graph();
    events.push(WorkflowEvent::NodeMoved {
        node_id: "s".into(),
        position: [3.0, 3.0],
    });
    let result = fixture()
        .given(events)
        .when(at(
            6,
            WorkflowAction::PromoteWorkflow {
                target_environment: Environment::Launched,
                target_workflow_id: "L".into(),
            },
        ))
        .inspect_result();
    assert!(matches!(result, Err(WorkflowError::Conflict { .. })));
}

#[test]
fn an_expected_version_from_the_future_is_rejected() {
    fixture()
        .given(graph())
        .when(at(9, WorkflowAction::RenameWorkflow { name: "x".into() }))
        .then_expect_error(WorkflowError::ExpectedVersionAhead {
            expected: 9,
            current: 6,
        });
}

#[test]
fn concurrent_node_additions_with_the_same_name_keep_names_unique() {
    let mut events = graph();
    let mut first = node("n1", "noOp");
    first.name = "Shared".into();
    events.push(WorkflowEvent::NodeAdded { node: first });
    let mut second = node("n2", "noOp");
    second.name = "Shared".into();
    fixture()
        .given(events)
        .when(at(6, WorkflowAction::AddNode { node: second }))
        .then_expect_error(WorkflowError::DuplicateNodeName("Shared".into()));
}

#[test]
fn folding_events_gives_the_definition_the_aggregate_holds() {
    let mut state = Workflow::default();
    for event in graph() {
        cqrs_es::Aggregate::apply(&mut state, event);
    }
    assert_eq!(state.version, 6);
    assert_eq!(state.definition, fold_definition(graph().iter()));
    assert_eq!(
        state.definition.connections,
        vec![link("w", 0, "i"), link("i", 1, "s")]
    );
}

#[test]
fn error_codes_are_stable() {
    assert_eq!(WorkflowError::NotFound.code(), "NOT_FOUND");
    assert_eq!(
        WorkflowError::Conflict {
            expected: 1,
            current: 2,
            overlapping: vec![]
        }
        .code(),
        "CONFLICT"
    );
    assert_eq!(
        WorkflowError::DuplicateNodeName("a".into()).code(),
        "VALIDATION"
    );
}
