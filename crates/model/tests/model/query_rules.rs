//! The rules of the list queries: `limit` 1..=1000 (default 100 on the integration routes, 25
//! on the developer route), `offset` >= 0, integers and booleans parsed as pydantic parses
//! them, statuses and categories as comma lists or repeated parameters, and an unknown
//! developer category answered with 400 as OMI's cloud does.

use omi_model::FromQueryStr;
use std::fmt::Debug;

use omi_model::{
    ConversationListParams, ConversationStatus, DevMemoryListParams, ListConversationsQuery,
    ListDevMemoriesQuery, ListMemoriesQuery, MemoryCategory, PageParams, QueryError,
    ValidationErrors,
};

use crate::common::{Problem, assert_problems, at};

/// The list routes.
#[derive(Debug, Clone, Copy)]
enum Route {
    /// `GET /v2/integrations/{app_id}/conversations`.
    Conversations,
    /// `GET /v2/integrations/{app_id}/memories`.
    Memories,
    /// `GET /v1/dev/user/memories`.
    DevMemories,
}

const ROUTES: [Route; 3] = [Route::Conversations, Route::Memories, Route::DevMemories];

/// Read and validate `raw` as `from_query_str` then `validate`, with every 422 problem as
/// `ValidationErrors` (a 400 is a test failure here).
#[track_caller]
fn run<Q, P>(
    raw: &str,
    parse: fn(&str) -> Result<Q, QueryError>,
    validate: fn(&Q) -> Result<P, ValidationErrors>,
) -> Result<P, ValidationErrors> {
    match parse(raw) {
        Ok(query) => validate(&query),
        Err(QueryError::Invalid(errors)) => Err(errors),
        Err(QueryError::BadRequest(message)) => panic!("unexpected 400 for {raw:?}: {message}"),
    }
}

fn conversations(raw: &str) -> Result<ConversationListParams, ValidationErrors> {
    run(
        raw,
        ListConversationsQuery::from_query_str,
        ListConversationsQuery::validate,
    )
}

fn memories(raw: &str) -> Result<PageParams, ValidationErrors> {
    run(
        raw,
        ListMemoriesQuery::from_query_str,
        ListMemoriesQuery::validate,
    )
}

fn dev_memories(raw: &str) -> Result<DevMemoryListParams, ValidationErrors> {
    run(
        raw,
        ListDevMemoriesQuery::from_query_str,
        ListDevMemoriesQuery::validate,
    )
}

#[track_caller]
fn ok<P>(result: Result<P, ValidationErrors>) -> P {
    result.unwrap_or_else(|e| panic!("expected the query to be accepted, got: {e}"))
}

/// The page a route reads from `raw`.
#[track_caller]
fn page(route: Route, raw: &str) -> (u32, u64) {
    let p = match route {
        Route::Conversations => {
            let p = ok(conversations(raw));
            PageParams {
                limit: p.limit,
                offset: p.offset,
            }
        }
        Route::Memories => ok(memories(raw)),
        Route::DevMemories => ok(dev_memories(raw)).page,
    };
    (p.limit.get(), p.offset.get())
}

/// Assert `route` rejects `raw` with exactly `expected`.
#[track_caller]
fn check(route: Route, raw: &str, expected: &[Problem<'_>]) {
    fn debug<P: Debug>(r: Result<P, ValidationErrors>) -> Result<String, ValidationErrors> {
        r.map(|p| format!("{p:?}"))
    }
    let result = match route {
        Route::Conversations => debug(conversations(raw)),
        Route::Memories => debug(memories(raw)),
        Route::DevMemories => debug(dev_memories(raw)),
    };
    assert_problems(result, expected);
}

const NOT_AN_INTEGER: &str =
    "Input should be a valid integer, unable to parse string as an integer";

// ---- limit and offset ----------------------------------------------------------------------

#[test]
fn integration_conversations_limit_defaults_to_100() {
    assert_eq!(page(Route::Conversations, ""), (100, 0));
}

#[test]
fn integration_memories_limit_defaults_to_100() {
    assert_eq!(page(Route::Memories, "uid=user_123"), (100, 0));
}

#[test]
fn dev_memories_limit_defaults_to_25() {
    assert_eq!(page(Route::DevMemories, ""), (25, 0));
}

#[test]
fn limit_of_0_is_greater_than_equal() {
    for route in ROUTES {
        check(
            route,
            "limit=0",
            &[(
                "query.limit",
                "Input should be greater than or equal to 1",
                "greater_than_equal",
            )],
        );
    }
}

#[test]
fn limit_over_1000_is_less_than_equal() {
    for route in ROUTES {
        check(
            route,
            "limit=1001",
            &[(
                "query.limit",
                "Input should be less than or equal to 1000",
                "less_than_equal",
            )],
        );
    }
}

#[test]
fn limit_of_1_and_of_1000_are_accepted() {
    for route in ROUTES {
        assert_eq!(page(route, "limit=1").0, 1);
        assert_eq!(page(route, "limit=1000").0, 1000);
    }
}

#[test]
fn negative_offset_is_greater_than_equal() {
    for route in ROUTES {
        check(
            route,
            "offset=-1",
            &[(
                "query.offset",
                "Input should be greater than or equal to 0",
                "greater_than_equal",
            )],
        );
    }
}

#[test]
fn offset_is_read_as_given() {
    for route in ROUTES {
        assert_eq!(page(route, "offset=0").1, 0);
        assert_eq!(page(route, "limit=10&offset=250").1, 250);
    }
}

#[test]
fn non_integer_limit_is_int_parsing() {
    for route in ROUTES {
        for raw in ["limit=ten", "limit=1.5", "limit=", "limit=1e3"] {
            check(
                route,
                raw,
                &[("query.limit", NOT_AN_INTEGER, "int_parsing")],
            );
        }
    }
}

#[test]
fn non_integer_offset_is_int_parsing() {
    for route in ROUTES {
        check(
            route,
            "offset=next",
            &[("query.offset", NOT_AN_INTEGER, "int_parsing")],
        );
    }
}

#[test]
fn limit_and_offset_problems_are_reported_together() {
    for route in ROUTES {
        check(
            route,
            "limit=0&offset=-5",
            &[
                (
                    "query.limit",
                    "Input should be greater than or equal to 1",
                    "greater_than_equal",
                ),
                (
                    "query.offset",
                    "Input should be greater than or equal to 0",
                    "greater_than_equal",
                ),
            ],
        );
        check(
            route,
            "limit=x&offset=y",
            &[
                ("query.limit", NOT_AN_INTEGER, "int_parsing"),
                ("query.offset", NOT_AN_INTEGER, "int_parsing"),
            ],
        );
    }
}

#[test]
fn query_struct_built_directly_is_held_to_the_same_bounds() {
    let query = ListMemoriesQuery {
        limit: Some(0),
        offset: Some(-1),
    };
    assert_problems(
        query.validate(),
        &[
            (
                "query.limit",
                "Input should be greater than or equal to 1",
                "greater_than_equal",
            ),
            (
                "query.offset",
                "Input should be greater than or equal to 0",
                "greater_than_equal",
            ),
        ],
    );
}

// ---- conversation filters ------------------------------------------------------------------

#[test]
fn include_discarded_defaults_to_false() {
    assert!(!ok(conversations("")).include_discarded);
}

#[test]
fn include_discarded_reads_booleans_as_pydantic_does() {
    for yes in ["true", "True", "1", "yes", "on", "t", "y"] {
        assert!(ok(conversations(&format!("include_discarded={yes}"))).include_discarded);
    }
    for no in ["false", "False", "0", "no", "off", "f", "n"] {
        assert!(!ok(conversations(&format!("include_discarded={no}"))).include_discarded);
    }
}

#[test]
fn include_discarded_not_a_boolean_is_bool_parsing() {
    check(
        Route::Conversations,
        "include_discarded=maybe",
        &[(
            "query.include_discarded",
            "Input should be a valid boolean, unable to interpret input",
            "bool_parsing",
        )],
    );
}

#[test]
fn statuses_accept_comma_lists_and_repeated_params() {
    let p = ok(conversations(
        "statuses=completed,%20processing&statuses=failed",
    ));
    assert_eq!(
        p.statuses,
        [
            ConversationStatus::Completed,
            ConversationStatus::Processing,
            ConversationStatus::Failed
        ]
    );
    assert!(ok(conversations("")).statuses.is_empty());
}

#[test]
fn unknown_status_is_enum_at_its_index() {
    check(
        Route::Conversations,
        "statuses=completed,done",
        &[(
            "query.statuses.1",
            "Input should be 'in_progress', 'processing', 'completed' or 'failed'",
            "enum",
        )],
    );
}

#[test]
fn dates_accept_iso_datetimes_and_bare_days() {
    let p = ok(conversations(
        "start_date=2024-03-01&end_date=2024-03-10T17:00:00%2B02:00",
    ));
    assert_eq!(p.start_date, Some(at("2024-03-01T00:00:00Z")));
    assert_eq!(p.end_date, Some(at("2024-03-10T15:00:00Z")));
}

#[test]
fn date_without_offset_is_timezone_aware() {
    check(
        Route::Conversations,
        "start_date=2024-03-10T15:00:00",
        &[(
            "query.start_date",
            "Input should have timezone info",
            "timezone_aware",
        )],
    );
}

#[test]
fn every_conversation_query_problem_is_reported() {
    check(
        Route::Conversations,
        "limit=abc&offset=1&include_discarded=2&statuses=bogus&end_date=2024-03-10T15:00:00",
        &[
            ("query.limit", NOT_AN_INTEGER, "int_parsing"),
            (
                "query.include_discarded",
                "Input should be a valid boolean, unable to interpret input",
                "bool_parsing",
            ),
            (
                "query.statuses.0",
                "Input should be 'in_progress', 'processing', 'completed' or 'failed'",
                "enum",
            ),
            (
                "query.end_date",
                "Input should have timezone info",
                "timezone_aware",
            ),
        ],
    );
}

// ---- developer categories ------------------------------------------------------------------

#[test]
fn dev_categories_accept_comma_lists_and_repeated_params() {
    let p = ok(dev_memories(
        "categories=interesting,system&categories=manual",
    ));
    assert_eq!(
        p.categories,
        [
            MemoryCategory::Interesting,
            MemoryCategory::System,
            MemoryCategory::Manual
        ]
    );
}

#[test]
fn unknown_dev_category_is_a_bad_request() {
    assert_eq!(
        ListDevMemoriesQuery::from_query_str("categories=interesting,hobby"),
        Err(QueryError::BadRequest(
            "Invalid category 'hobby' is not a valid MemoryCategory".to_owned()
        ))
    );
}

#[test]
fn unknown_query_parameters_are_ignored() {
    assert_eq!(
        page(Route::DevMemories, "uid=user_123&sort=asc&limit=7"),
        (7, 0)
    );
}
