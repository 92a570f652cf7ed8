//! Parameter schemas and credential types of the built-in node types. The editor renders forms
//! from them and validation can reject bad parameters; names and defaults follow n8n's so that
//! imported workflows keep their meaning.

use serde_json::{Value, json};

use super::schema::{CredentialSpec, ParameterOption, ParameterSpec, ParameterType};

/// Builder for one parameter.
struct P(ParameterSpec);

impl P {
    fn new(name: &str, display: &str, param_type: ParameterType, default: Value) -> Self {
        P(ParameterSpec {
            name: name.to_string(),
            display_name: display.to_string(),
            param_type,
            default,
            required: false,
            expressions: true,
            options: Vec::new(),
            description: String::new(),
            show_when: None,
        })
    }

    fn required(mut self) -> Self {
        self.0.required = true;
        self
    }

    fn literal(mut self) -> Self {
        self.0.expressions = false;
        self
    }

    fn help(mut self, text: &str) -> Self {
        self.0.description = text.to_string();
        self
    }

    fn when(mut self, parameter: &str, values: &[&str]) -> Self {
        self.0.show_when = Some((
            parameter.to_string(),
            values.iter().map(|v| json!(v)).collect(),
        ));
        self
    }

    fn done(self) -> ParameterSpec {
        self.0
    }
}

fn string(name: &str, display: &str, default: &str) -> P {
    P::new(name, display, ParameterType::String, json!(default))
}

fn number(name: &str, display: &str, default: f64) -> P {
    P::new(name, display, ParameterType::Number, json!(default))
}

fn boolean(name: &str, display: &str, default: bool) -> P {
    P::new(name, display, ParameterType::Boolean, json!(default))
}

fn json_param(name: &str, display: &str, default: Value) -> P {
    P::new(name, display, ParameterType::Json, default)
}

fn code(name: &str, display: &str, language: &str, default: &str) -> P {
    P::new(
        name,
        display,
        ParameterType::Code {
            language: language.to_string(),
        },
        json!(default),
    )
}

fn options(name: &str, display: &str, default: &str, values: &[(&str, &str)]) -> P {
    let mut p = P::new(name, display, ParameterType::Options, json!(default)).literal();
    p.0.options = values
        .iter()
        .map(|(value, label)| ParameterOption {
            value: value.to_string(),
            label: label.to_string(),
        })
        .collect();
    p
}

fn collection(name: &str, display: &str, fields: Vec<ParameterSpec>) -> P {
    P::new(
        name,
        display,
        ParameterType::Collection { fields },
        json!([]),
    )
}

fn fixed(name: &str, display: &str, fields: Vec<ParameterSpec>) -> P {
    P::new(name, display, ParameterType::Fixed { fields }, json!({}))
}

/// The v2 filter (If v2, Filter v2, Switch v3 rules): `{options, conditions[], combinator}`.
fn filter_conditions() -> ParameterSpec {
    let condition = vec![
        string("leftValue", "Value 1", "").done(),
        json_param(
            "operator",
            "Operator",
            json!({"type": "string", "operation": "equals"}),
        )
        .literal()
        .help("`{type, operation}`: type string|number|dateTime|boolean|array|object|any")
        .done(),
        string("rightValue", "Value 2", "").done(),
    ];
    fixed(
        "conditions",
        "Conditions",
        vec![
            collection("conditions", "Conditions", condition).done(),
            options(
                "combinator",
                "Combine",
                "and",
                &[("and", "AND"), ("or", "OR")],
            )
            .done(),
            fixed(
                "options",
                "Options",
                vec![
                    boolean("caseSensitive", "Case Sensitive", true).done(),
                    options(
                        "typeValidation",
                        "Type Validation",
                        "strict",
                        &[("strict", "Strict"), ("loose", "Loose")],
                    )
                    .done(),
                ],
            )
            .done(),
        ],
    )
    .done()
}

fn field_list(name: &str, display: &str) -> ParameterSpec {
    string(name, display, "")
        .help("Comma-separated field names; dots address nested fields")
        .done()
}

fn dot_notation_options(extra: Vec<ParameterSpec>) -> ParameterSpec {
    let mut fields = vec![boolean("disableDotNotation", "Disable Dot Notation", false).done()];
    fields.extend(extra);
    fixed("options", "Options", fields).done()
}

const ITEM_SOURCE: &[(&str, &str)] = &[("firstItems", "First Items"), ("lastItems", "Last Items")];

/// The parameter schema of a built-in node type.
pub(super) fn parameters_for(node_type: &str) -> Vec<ParameterSpec> {
    let short = node_type.rsplit('.').next().unwrap_or(node_type);
    match short {
        "webhook" => vec![
            options(
                "httpMethod",
                "HTTP Method",
                "GET",
                &[("GET", "GET"), ("POST", "POST"), ("PUT", "PUT"), ("PATCH", "PATCH"), ("DELETE", "DELETE"), ("HEAD", "HEAD")],
            )
            .done(),
            string("path", "Path", "").required().literal().help("URL path after /webhook/").done(),
            options(
                "responseMode",
                "Respond",
                "onReceived",
                &[("onReceived", "Immediately"), ("lastNode", "When Last Node Finishes"), ("responseNode", "Using 'Respond to Webhook' Node")],
            )
            .done(),
            options(
                "responseData",
                "Response Data",
                "firstEntryJson",
                &[("firstEntryJson", "First Entry JSON"), ("allEntries", "All Entries"), ("noData", "No Response Body")],
            )
            .when("responseMode", &["lastNode"])
            .done(),
            fixed(
                "options",
                "Options",
                vec![boolean("rawBody", "Raw Body", false).done(), number("responseCode", "Response Code", 200.0).done()],
            )
            .done(),
        ],
        "scheduleTrigger" => vec![fixed(
            "rule",
            "Trigger Rules",
            vec![collection(
                "interval",
                "Trigger Interval",
                vec![
                    options(
                        "field",
                        "Trigger Interval",
                        "days",
                        &[("seconds", "Seconds"), ("minutes", "Minutes"), ("hours", "Hours"), ("days", "Days"), ("weeks", "Weeks"), ("months", "Months"), ("cronExpression", "Custom (Cron)")],
                    )
                    .done(),
                    number("secondsInterval", "Seconds Between Triggers", 30.0).when("field", &["seconds"]).done(),
                    number("minutesInterval", "Minutes Between Triggers", 5.0).when("field", &["minutes"]).done(),
                    number("hoursInterval", "Hours Between Triggers", 1.0).when("field", &["hours"]).done(),
                    number("daysInterval", "Days Between Triggers", 1.0).when("field", &["days"]).done(),
                    number("weeksInterval", "Weeks Between Triggers", 1.0).when("field", &["weeks"]).done(),
                    number("monthsInterval", "Months Between Triggers", 1.0).when("field", &["months"]).done(),
                    json_param("triggerAtDay", "Trigger on Weekdays (0 = Sunday)", json!([0])).when("field", &["weeks"]).done(),
                    number("triggerAtDayOfMonth", "Trigger at Day of Month", 1.0).when("field", &["months"]).done(),
                    number("triggerAtHour", "Trigger at Hour", 0.0).when("field", &["days", "weeks", "months"]).done(),
                    number("triggerAtMinute", "Trigger at Minute", 0.0).when("field", &["hours", "days", "weeks", "months"]).done(),
                    string("expression", "Expression", "").literal().help("Cron with seconds: `s m h dom mon dow`").when("field", &["cronExpression"]).done(),
                ],
            )
            .done()],
        )
        .done()],
        "respondToWebhook" => vec![
            options(
                "respondWith",
                "Respond With",
                "firstIncomingItem",
                &[("allIncomingItems", "All Incoming Items"), ("firstIncomingItem", "First Incoming Item"), ("json", "JSON"), ("text", "Text"), ("noData", "No Data")],
            )
            .done(),
            json_param("responseBody", "Response Body", json!("")).when("respondWith", &["json", "text"]).done(),
            fixed(
                "options",
                "Options",
                vec![number("responseCode", "Response Code", 200.0).done(), json_param("responseHeaders", "Response Headers", json!({})).done()],
            )
            .done(),
        ],
        "set" => vec![
            options("mode", "Mode", "manual", &[("manual", "Manual Mapping"), ("raw", "JSON")]).done(),
            fixed(
                "assignments",
                "Fields to Set",
                vec![collection(
                    "assignments",
                    "Assignments",
                    vec![
                        string("name", "Name", "").required().done(),
                        json_param("value", "Value", json!("")).done(),
                        options(
                            "type",
                            "Type",
                            "string",
                            &[("string", "String"), ("number", "Number"), ("boolean", "Boolean"), ("array", "Array"), ("object", "Object")],
                        )
                        .done(),
                    ],
                )
                .done()],
            )
            .when("mode", &["manual"])
            .done(),
            code("jsonOutput", "JSON", "json", "{}").when("mode", &["raw"]).done(),
            boolean("includeOtherFields", "Include Other Input Fields", false).done(),
            options("include", "Input Fields to Include", "all", &[("all", "All"), ("selected", "Selected"), ("except", "All Except")]).done(),
            field_list("includeFields", "Fields to Include"),
            field_list("excludeFields", "Fields to Exclude"),
            fixed(
                "options",
                "Options",
                vec![
                    boolean("dotNotation", "Support Dot Notation", true).done(),
                    boolean("ignoreConversionErrors", "Ignore Type Conversion Errors", false).done(),
                    boolean("includeBinary", "Include Binary Data", true).done(),
                ],
            )
            .done(),
        ],
        "if" => vec![
            filter_conditions(),
            fixed("options", "Options", vec![boolean("ignoreCase", "Ignore Case", false).done(), boolean("looseTypeValidation", "Convert Types Where Required", false).done()]).done(),
        ],
        "filter" => vec![
            filter_conditions(),
            fixed(
                "options",
                "Options",
                vec![
                    boolean("ignoreCase", "Ignore Case", false).done(),
                    boolean("looseTypeValidation", "Convert Types Where Required", false).done(),
                    boolean("allowFallthrough", "Output Discarded Items", false).done(),
                ],
            )
            .done(),
        ],
        "switch" => vec![
            options("mode", "Mode", "rules", &[("rules", "Rules"), ("expression", "Expression")]).done(),
            fixed(
                "rules",
                "Routing Rules",
                vec![collection("values", "Rules", vec![filter_conditions(), boolean("renameOutput", "Rename Output", false).done(), string("outputKey", "Output Name", "").done()]).done()],
            )
            .when("mode", &["rules"])
            .done(),
            number("numberOutputs", "Number of Outputs", 4.0).literal().when("mode", &["expression"]).done(),
            number("output", "Output Index", 0.0).required().when("mode", &["expression"]).help("Evaluated per item").done(),
            fixed(
                "options",
                "Options",
                vec![
                    json_param("fallbackOutput", "Fallback Output", json!("none")).help("`none`, `extra` or an output index").done(),
                    boolean("allMatchingOutputs", "Send Data to All Matching Outputs", false).done(),
                    boolean("ignoreCase", "Ignore Case", false).done(),
                ],
            )
            .done(),
        ],
        "merge" => vec![
            options(
                "mode",
                "Mode",
                "append",
                &[("append", "Append"), ("combine", "Combine"), ("chooseBranch", "Choose Branch")],
            )
            .done(),
            options(
                "combineBy",
                "Combine By",
                "combineByFields",
                &[("combineByFields", "Matching Fields"), ("combineByPosition", "Position"), ("combineAll", "All Possible Combinations")],
            )
            .when("mode", &["combine"])
            .done(),
            fixed(
                "mergeByFields",
                "Fields to Match",
                vec![collection("values", "Fields", vec![string("field1", "Input 1 Field", "").done(), string("field2", "Input 2 Field", "").done()]).done()],
            )
            .when("combineBy", &["combineByFields"])
            .done(),
            options(
                "joinMode",
                "Output Type",
                "keepMatches",
                &[("keepMatches", "Keep Matches"), ("keepNonMatches", "Keep Non-Matches"), ("keepEverything", "Keep Everything"), ("enrichInput1", "Enrich Input 1"), ("enrichInput2", "Enrich Input 2")],
            )
            .when("combineBy", &["combineByFields"])
            .done(),
            options("output", "Output", "input1", &[("input1", "Input 1"), ("input2", "Input 2"), ("empty", "A Single, Empty Item")]).when("mode", &["chooseBranch"]).done(),
            number("numberInputs", "Number of Inputs", 2.0).literal().done(),
            fixed(
                "options",
                "Options",
                vec![
                    json_param("clashHandling", "Clash Handling", json!({"values": {"resolveClash": "preferInput2", "mergeMode": "deepMerge"}})).done(),
                    boolean("includeUnpaired", "Include Any Unpaired Items", false).done(),
                    boolean("fuzzyCompare", "Fuzzy Compare", false).done(),
                    options("multipleMatches", "Multiple Matches", "all", &[("all", "Include All Matches"), ("first", "Include First Match Only")]).done(),
                ],
            )
            .done(),
        ],
        "sort" => vec![
            options("type", "Type", "simple", &[("simple", "Simple"), ("random", "Random"), ("code", "Code")]).done(),
            fixed(
                "sortFieldsUi",
                "Fields To Sort By",
                vec![collection(
                    "sortField",
                    "Sort Field",
                    vec![string("fieldName", "Field Name", "").required().done(), options("order", "Order", "ascending", &[("ascending", "Ascending"), ("descending", "Descending")]).done()],
                )
                .done()],
            )
            .when("type", &["simple"])
            .done(),
            code("code", "Code", "javascript", "return 0;").when("type", &["code"]).help("Compare `a` and `b`; return -1, 0 or 1").done(),
            dot_notation_options(Vec::new()),
        ],
        "limit" => vec![number("maxItems", "Max Items", 1.0).done(), options("keep", "Keep", "firstItems", ITEM_SOURCE).done()],
        "aggregate" => vec![
            options(
                "aggregate",
                "Aggregate",
                "aggregateIndividualFields",
                &[("aggregateIndividualFields", "Individual Fields"), ("aggregateAllItemData", "All Item Data (Into a Single List)")],
            )
            .done(),
            fixed(
                "fieldsToAggregate",
                "Fields To Aggregate",
                vec![collection(
                    "fieldToAggregate",
                    "Field",
                    vec![
                        string("fieldToAggregate", "Input Field Name", "").required().done(),
                        boolean("renameField", "Rename Field", false).done(),
                        string("outputFieldName", "Output Field Name", "").done(),
                    ],
                )
                .done()],
            )
            .when("aggregate", &["aggregateIndividualFields"])
            .done(),
            string("destinationFieldName", "Put Output in Field", "data").when("aggregate", &["aggregateAllItemData"]).done(),
            options("include", "Include", "allFields", &[("allFields", "All Fields"), ("specifiedFields", "Specified Fields"), ("allFieldsExcept", "All Fields Except")]).done(),
            field_list("fieldsToInclude", "Fields To Include"),
            field_list("fieldsToExclude", "Fields To Exclude"),
            dot_notation_options(vec![boolean("mergeLists", "Merge Lists", false).done(), boolean("keepMissing", "Keep Missing And Null Values", false).done()]),
        ],
        "splitOut" => vec![
            field_list("fieldToSplitOut", "Fields To Split Out"),
            options(
                "include",
                "Include",
                "noOtherFields",
                &[("noOtherFields", "No Other Fields"), ("allOtherFields", "All Other Fields"), ("selectedOtherFields", "Selected Other Fields")],
            )
            .done(),
            field_list("fieldsToInclude", "Fields To Include"),
            dot_notation_options(vec![string("destinationFieldName", "Destination Field Name", "").done()]),
        ],
        "removeDuplicates" => vec![
            options("compare", "Compare", "allFields", &[("allFields", "All Fields"), ("allFieldsExcept", "All Fields Except"), ("selectedFields", "Selected Fields")]).done(),
            field_list("fieldsToExclude", "Fields To Exclude"),
            field_list("fieldsToCompare", "Fields To Compare"),
            dot_notation_options(vec![boolean("removeOtherFields", "Remove Other Fields", false).done()]),
        ],
        "renameKeys" => vec![
            fixed(
                "keys",
                "Keys",
                vec![collection("key", "Key", vec![string("currentKey", "Current Key Name", "").required().done(), string("newKey", "New Key Name", "").required().done()]).done()],
            )
            .done(),
            json_param("additionalOptions", "Additional Options", json!({})).help("`regexReplacement.replacements[]`: searchRegex, replaceRegex, options").done(),
        ],
        "dateTime" => vec![
            options(
                "operation",
                "Operation",
                "getCurrentDate",
                &[
                    ("getCurrentDate", "Get Current Date"),
                    ("addToDate", "Add to a Date"),
                    ("subtractFromDate", "Subtract From a Date"),
                    ("formatDate", "Format a Date"),
                    ("roundDate", "Round a Date"),
                    ("getTimeBetweenDates", "Get Time Between Dates"),
                    ("extractDate", "Extract Part of a Date"),
                ],
            )
            .done(),
            string("date", "Date", "").done(),
            string("magnitude", "Date to Add To", "").done(),
            options(
                "timeUnit",
                "Time Unit",
                "days",
                &[("years", "Years"), ("quarters", "Quarters"), ("months", "Months"), ("weeks", "Weeks"), ("days", "Days"), ("hours", "Hours"), ("minutes", "Minutes"), ("seconds", "Seconds"), ("milliseconds", "Milliseconds")],
            )
            .done(),
            number("duration", "Duration", 0.0).done(),
            string("format", "Format", "MM/dd/yyyy").help("Luxon tokens, e.g. yyyy-MM-dd").done(),
            string("outputFieldName", "Output Field Name", "").done(),
            fixed("options", "Options", vec![boolean("includeInputFields", "Include Input Fields", false).done(), string("timezone", "Time Zone", "").done()]).done(),
        ],
        "code" => vec![
            options("mode", "Mode", "runOnceForAllItems", &[("runOnceForAllItems", "Run Once for All Items"), ("runOnceForEachItem", "Run Once for Each Item")]).done(),
            options("language", "Language", "javaScript", &[("javaScript", "JavaScript")]).done(),
            code("jsCode", "JavaScript", "javascript", "return $input.all();").literal().required().done(),
        ],
        "function" => vec![code("functionCode", "JavaScript Code", "javascript", "return items;").literal().required().done()],
        "httpRequest" => vec![
            options(
                "method",
                "Method",
                "GET",
                &[("GET", "GET"), ("POST", "POST"), ("PUT", "PUT"), ("PATCH", "PATCH"), ("DELETE", "DELETE"), ("HEAD", "HEAD"), ("OPTIONS", "OPTIONS")],
            )
            .done(),
            string("url", "URL", "").required().done(),
            options(
                "authentication",
                "Authentication",
                "none",
                &[("none", "None"), ("httpBasicAuth", "Basic Auth"), ("httpBearerAuth", "Bearer Token"), ("httpHeaderAuth", "Header Auth"), ("httpQueryAuth", "Query Auth"), ("oAuth2Api", "OAuth2 (Client Credentials)")],
            )
            .done(),
            boolean("sendQuery", "Send Query Parameters", false).done(),
            fixed("queryParameters", "Query Parameters", vec![collection("parameters", "Parameter", vec![string("name", "Name", "").done(), string("value", "Value", "").done()]).done()]).when("sendQuery", &["true"]).done(),
            boolean("sendHeaders", "Send Headers", false).done(),
            fixed("headerParameters", "Headers", vec![collection("parameters", "Header", vec![string("name", "Name", "").done(), string("value", "Value", "").done()]).done()]).when("sendHeaders", &["true"]).done(),
            boolean("sendBody", "Send Body", false).done(),
            options("contentType", "Body Content Type", "json", &[("json", "JSON"), ("form-urlencoded", "Form URL Encoded"), ("raw", "Raw")]).when("sendBody", &["true"]).done(),
            json_param("jsonBody", "JSON Body", json!("")).when("contentType", &["json"]).done(),
            string("body", "Body", "").when("contentType", &["raw"]).done(),
            fixed(
                "options",
                "Options",
                vec![
                    number("timeout", "Timeout (ms)", 10000.0).done(),
                    options("responseFormat", "Response Format", "autodetect", &[("autodetect", "Autodetect"), ("json", "JSON"), ("text", "Text")]).done(),
                ],
            )
            .done(),
        ],
        "wait" => vec![
            options("resume", "Resume", "timeInterval", &[("timeInterval", "After Time Interval"), ("specificTime", "At Specified Time")]).done(),
            number("amount", "Wait Amount", 1.0).when("resume", &["timeInterval"]).done(),
            options("unit", "Wait Unit", "hours", &[("seconds", "Seconds"), ("minutes", "Minutes"), ("hours", "Hours"), ("days", "Days")]).when("resume", &["timeInterval"]).done(),
            string("dateTime", "Date and Time", "").when("resume", &["specificTime"]).done(),
        ],
        "executeWorkflow" => vec![
            options("source", "Source", "database", &[("database", "Database (a stored workflow)")]).done(),
            string("workflowId", "Workflow", "").required().done(),
            options("mode", "Mode", "once", &[("once", "Run Once With All Items"), ("each", "Run Once for Each Item")]).done(),
            fixed("options", "Options", vec![boolean("waitForSubWorkflow", "Wait For Sub-Workflow Completion", true).done()]).done(),
        ],
        "stopAndError" => vec![
            options("errorType", "Error Type", "errorMessage", &[("errorMessage", "Error Message"), ("errorObject", "Error Object")]).done(),
            string("errorMessage", "Error Message", "").when("errorType", &["errorMessage"]).done(),
            json_param("errorObject", "Error Object", json!({})).when("errorType", &["errorObject"]).done(),
        ],
        "stickyNote" => vec![string("content", "Content", "").literal().done()],
        "summarize" => vec![
            fixed(
                "fieldsToSummarize",
                "Fields to Summarize",
                vec![collection(
                    "values",
                    "Summary",
                    vec![
                        options(
                            "aggregation",
                            "Aggregation",
                            "count",
                            &[("append", "Append"), ("average", "Average"), ("concatenate", "Concatenate"), ("count", "Count"), ("countUnique", "Count Unique"), ("max", "Max"), ("min", "Min"), ("sum", "Sum")],
                        )
                        .done(),
                        string("field", "Field", "").required().done(),
                        string("separateBy", "Separator", ",").done(),
                        boolean("includeEmpty", "Include Empty Values", false).done(),
                    ],
                )
                .done()],
            )
            .done(),
            field_list("fieldsToSplitBy", "Fields to Split By"),
            dot_notation_options(vec![options("outputFormat", "Output Format", "separateItems", &[("separateItems", "Each Split in a Separate Item"), ("singleItem", "All Splits in a Single Item")]).done()]),
        ],
        "itemLists" => vec![
            options(
                "operation",
                "Operation",
                "splitOutItems",
                &[
                    ("aggregateItems", "Aggregate Items"),
                    ("concatenateItems", "Concatenate Items"),
                    ("limit", "Limit"),
                    ("removeDuplicates", "Remove Duplicates"),
                    ("sort", "Sort"),
                    ("splitOutItems", "Split Out Items"),
                    ("summarize", "Summarize"),
                ],
            )
            .done(),
            field_list("fieldToSplitOut", "Field To Split Out"),
        ],
        "splitInBatches" => vec![number("batchSize", "Batch Size", 1.0).done(), fixed("options", "Options", vec![boolean("reset", "Reset", false).done()]).done()],
        "compareDatasets" => vec![
            fixed(
                "mergeByFields",
                "Fields to Match",
                vec![collection("values", "Fields", vec![string("field1", "Input A Field", "").done(), string("field2", "Input B Field", "").done()]).done()],
            )
            .done(),
            options(
                "resolve",
                "When There Are Differences",
                "preferInput2",
                &[("preferInput1", "Use Input A Version"), ("preferInput2", "Use Input B Version"), ("mix", "Use a Mix of Versions"), ("includeBoth", "Include Both Versions")],
            )
            .done(),
            fixed("options", "Options", vec![boolean("fuzzyCompare", "Fuzzy Compare", false).done(), boolean("disableDotNotation", "Disable Dot Notation", false).done()]).done(),
        ],
        "debugHelper" => vec![
            options("category", "Category", "throwError", &[("doNothing", "Do Nothing"), ("throwError", "Throw Error")]).done(),
            string("throwErrorMessage", "Error Message", "Node has thrown an error").when("category", &["throwError"]).done(),
        ],
        "testData" => vec![json_param("data", "Data", json!([])).required().help("A JSON array (or object); each element becomes one item").done()],
        "executeWorkflowTrigger" => vec![options("inputSource", "Input Data Mode", "passthrough", &[("passthrough", "Accept All Data")]).done()],
        _ => Vec::new(),
    }
}

/// The credential types a built-in node type accepts.
pub(super) fn credentials_for(node_type: &str) -> Vec<CredentialSpec> {
    let optional = |name: &str| CredentialSpec {
        name: name.to_string(),
        required: false,
    };
    match node_type {
        "n8n-nodes-base.httpRequest" => [
            "httpBasicAuth",
            "httpBearerAuth",
            "httpHeaderAuth",
            "httpQueryAuth",
            "oAuth2Api",
        ]
        .into_iter()
        .map(optional)
        .collect(),
        "n8n-nodes-base.webhook" => ["httpBasicAuth", "httpHeaderAuth"]
            .into_iter()
            .map(optional)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_have_unique_names_and_valid_option_defaults() {
        for ty in [
            "set",
            "if",
            "switch",
            "merge",
            "code",
            "httpRequest",
            "dateTime",
            "summarize",
            "sort",
        ] {
            let params = parameters_for(&format!("n8n-nodes-base.{ty}"));
            assert!(!params.is_empty(), "{ty} has no schema");
            let mut names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), params.len(), "{ty} repeats a parameter name");
            for p in &params {
                if p.param_type == ParameterType::Options {
                    assert!(
                        p.options.iter().any(|o| json!(o.value) == p.default),
                        "{ty}.{} default is not an option",
                        p.name
                    );
                }
            }
        }
        assert_eq!(credentials_for("n8n-nodes-base.httpRequest").len(), 5);
    }

    #[test]
    fn validation_rejects_bad_parameters() {
        let catalog = super::super::BuiltinCatalog::shared();
        let describe = |t: &str| {
            super::super::NodeCatalog::describe(catalog, &format!("n8n-nodes-base.{t}")).unwrap()
        };
        let ok = json!({"method": "POST", "url": "={{ $json.url }}", "options": {"timeout": 500}});
        assert!(describe("httpRequest").validate_parameters(&ok).is_empty());
        let bad = json!({"method": "FETCH", "options": {"timeout": "soon"}});
        let problems = describe("httpRequest").validate_parameters(&bad);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("`url`: a value is required"))
        );
        assert!(problems.iter().any(|p| p.starts_with("`method`:")));
        assert!(
            problems
                .iter()
                .any(|p| p == "`options.timeout`: expected a number")
        );
        let code = json!({"jsCode": "={{ 1 }}"});
        assert_eq!(
            describe("code").validate_parameters(&code),
            vec!["`jsCode`: expressions are not allowed here"]
        );
        let hidden = json!({"mode": "manual"});
        assert!(describe("set").validate_parameters(&hidden).is_empty());
    }
}
