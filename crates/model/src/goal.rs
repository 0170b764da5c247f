//! Goals (`/v1/dev/user/goals...`): what the user is working towards, optionally measured
//! by a metric, with a history of the progress recorded. The create and update bodies, the
//! list, progress and history queries, their validated forms, and the goal object with every
//! field OMI's cloud returns.
//!
//! A goal's metric is the one source of its measure: the flat fields (`goal_type`,
//! `target_value`, `current_value`, `min_value`, `max_value`, `unit`) are derived from it
//! whenever the goal changes, as the cloud derives them (a goal without a metric shows a
//! `scale` of 0 to 10 at 0). Values are finite, `min` is at most `max`, and `current` lies
//! within them, at creation, on every change and on every progress record.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::enums::{GoalSource, GoalStatus, GoalType};
use crate::query::{FromQueryStr, QueryError, QueryParams};
use crate::scalars::{GoalText, GoalTitle, GoalUnit};
use crate::timestamp;
use crate::validation::{Loc, Problems, ValidationError, ValidationErrors, kind, msg};

/// How a goal is measured: where it stands (`current`) on the way to `target`, within
/// `min`..=`max` when they are set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalMetric {
    /// How it is measured.
    #[serde(rename = "type")]
    pub goal_type: GoalType,
    /// Where the goal stands.
    pub current: f64,
    /// Where it is to get.
    pub target: f64,
    /// The lowest value it can take, if bounded.
    #[serde(default)]
    pub min: Option<f64>,
    /// The highest value it can take, if bounded.
    #[serde(default)]
    pub max: Option<f64>,
    /// What it counts in.
    #[serde(default)]
    pub unit: Option<String>,
}

impl GoalMetric {
    /// The metric the cloud starts from when a qualitative goal first gets a measure.
    fn starting(goal_type: GoalType) -> Self {
        Self {
            goal_type,
            current: 0.0,
            target: 0.0,
            min: None,
            max: None,
            unit: None,
        }
    }

    /// Check that `min` is at most `max` (reported at `bounds`) and that `current` lies
    /// within them (reported at `current`).
    fn check(&self, bounds: &Loc, current: &Loc) -> Result<(), ValidationErrors> {
        if let (Some(min), Some(max)) = (self.min, self.max)
            && min > max
        {
            return Err(ValidationErrors::single(ValidationError::new(
                bounds.clone(),
                kind::VALUE_ERROR,
                Goal::BOUNDS_REVERSED,
            )));
        }
        check_within(current, self.current, self.min, self.max)
    }
}

/// Whether `value` lies within the bounds that are set; pydantic's range items when not.
fn check_within(
    loc: &Loc,
    value: f64,
    min: Option<f64>,
    max: Option<f64>,
) -> Result<(), ValidationErrors> {
    let problem = match (min, max) {
        (Some(min), _) if value < min => Some((
            kind::GREATER_THAN_EQUAL,
            msg::greater_than_equal(float(min)),
        )),
        (_, Some(max)) if value > max => {
            Some((kind::LESS_THAN_EQUAL, msg::less_than_equal(float(max))))
        }
        _ => None,
    };
    match problem {
        Some((code, text)) => Err(ValidationErrors::single(ValidationError::new(
            loc.clone(),
            code,
            text,
        ))),
        None => Ok(()),
    }
}

/// A float as Python prints one (`10.0`, `2.5`), for messages.
fn float(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e16 {
        format!("{value:.1}")
    } else {
        format!("{value}")
    }
}

/// A goal as every goal route returns it: OMI's cloud's `DeveloperGoal`, 21 fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Goal {
    /// Its id (`goal_` and 12 hex digits).
    pub id: String,
    /// The same id, under the cloud's second name for it.
    pub goal_id: String,
    /// What the goal is.
    pub title: String,
    /// What reaching it looks like; the title when not given.
    pub desired_outcome: String,
    /// Why it matters to the user.
    pub why_it_matters: Option<String>,
    /// How the user will know it is reached.
    pub success_criteria: Vec<String>,
    /// When it is to be reached.
    #[serde(default, with = "timestamp::optional")]
    pub horizon_at: Option<DateTime<Utc>>,
    /// Where it stands.
    pub status: GoalStatus,
    /// Its place in the user's focus (0 first) while `status` is `focused`; else `null`.
    pub focus_rank: Option<i64>,
    /// How it is measured; `null` for a goal without a measure.
    pub metric: Option<GoalMetric>,
    /// Who made it.
    pub source: GoalSource,
    /// `metric.type` (`scale` without a metric).
    pub goal_type: GoalType,
    /// `metric.target` (0 without a metric).
    pub target_value: f64,
    /// `metric.current` (0 without a metric).
    pub current_value: f64,
    /// `metric.min`, or 0.
    pub min_value: f64,
    /// `metric.max`, or the larger of `metric.target` and 10 (10 without a metric).
    pub max_value: f64,
    /// `metric.unit`.
    pub unit: Option<String>,
    /// Whether it is still pursued: not `achieved` or `abandoned`.
    pub is_active: bool,
    /// When it was made.
    #[serde(with = "timestamp::required")]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(with = "timestamp::required")]
    pub updated_at: DateTime<Utc>,
}

impl Goal {
    /// The message of a metric whose `min_value` is above its `max_value`.
    pub const BOUNDS_REVERSED: &'static str =
        "Value error, min_value must be less than or equal to max_value";

    /// The goal `new`, made by the user at `now` with id `id`: in the background, active.
    pub fn create(id: String, new: NewGoal, now: DateTime<Utc>) -> Self {
        let now = timestamp::normalize(now);
        Self {
            goal_id: id.clone(),
            id,
            title: new.title.into_inner(),
            desired_outcome: new.desired_outcome,
            why_it_matters: new.why_it_matters,
            success_criteria: new.success_criteria,
            horizon_at: new.horizon_at,
            status: GoalStatus::Background,
            focus_rank: None,
            metric: new.metric,
            source: GoalSource::User,
            goal_type: GoalType::Scale,
            target_value: 0.0,
            current_value: 0.0,
            min_value: 0.0,
            max_value: 10.0,
            unit: None,
            is_active: true,
            created_at: now,
            updated_at: now,
        }
        .derived()
    }

    /// This goal with progress `value` recorded at `now`: the metric's `current` (a goal
    /// without a metric becomes `numeric`, towards 0, as in OMI's cloud). A value outside the
    /// metric's `min`..=`max` is refused, reported at `query.current_value`.
    pub fn with_progress(
        mut self,
        value: f64,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationErrors> {
        let mut metric = self
            .metric
            .take()
            .unwrap_or_else(|| GoalMetric::starting(GoalType::Numeric));
        check_within(&Loc::query("current_value"), value, metric.min, metric.max)?;
        metric.current = value;
        self.metric = Some(metric);
        self.updated_at = timestamp::normalize(now);
        Ok(self.derived())
    }

    /// This goal deleted at `now`: `abandoned`, out of focus, inactive (OMI's cloud keeps a
    /// deleted goal, and `include_inactive` lists it).
    #[must_use]
    pub fn abandoned(mut self, now: DateTime<Utc>) -> Self {
        self.status = GoalStatus::Abandoned;
        self.updated_at = timestamp::normalize(now);
        self.derived()
    }

    /// The fields derived from the others made to agree with them.
    fn derived(mut self) -> Self {
        self.goal_id.clone_from(&self.id);
        self.is_active = !matches!(self.status, GoalStatus::Achieved | GoalStatus::Abandoned);
        if self.status != GoalStatus::Focused {
            self.focus_rank = None;
        }
        match &self.metric {
            Some(m) => {
                self.goal_type = m.goal_type;
                self.target_value = m.target;
                self.current_value = m.current;
                self.min_value = m.min.unwrap_or(0.0);
                self.max_value = m.max.unwrap_or(m.target.max(10.0));
                self.unit.clone_from(&m.unit);
            }
            None => {
                self.goal_type = GoalType::Scale;
                self.target_value = 0.0;
                self.current_value = 0.0;
                self.min_value = 0.0;
                self.max_value = 10.0;
                self.unit = None;
            }
        }
        self
    }
}

/// One day of a goal's recorded progress: the last value recorded that day (UTC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalHistoryEntry {
    /// The day, `YYYY-MM-DD` (UTC).
    pub date: String,
    /// The value recorded.
    pub value: f64,
    /// When it was recorded.
    #[serde(with = "timestamp::required")]
    pub recorded_at: DateTime<Utc>,
}

impl GoalHistoryEntry {
    /// The entry of progress `value` recorded at `now`.
    pub fn recorded(value: f64, now: DateTime<Utc>) -> Self {
        Self {
            date: now.date_naive().format("%Y-%m-%d").to_string(),
            value,
            recorded_at: timestamp::normalize(now),
        }
    }
}

/// The metric fields of a create or update body, as sent.
#[derive(Debug, Clone, PartialEq, Default)]
struct MetricFields {
    goal_type: Option<GoalType>,
    target: Option<f64>,
    current: Option<f64>,
    min: Option<Option<f64>>,
    max: Option<Option<f64>>,
    unit: Option<Option<String>>,
}

impl MetricFields {
    fn any(&self) -> bool {
        self != &Self::default()
    }

    /// `base` with these fields laid over it, the unit checked; the metric's own checks are
    /// the caller's.
    fn over(&self, mut base: GoalMetric, body: &Loc) -> Result<GoalMetric, ValidationErrors> {
        if let Some(t) = self.goal_type {
            base.goal_type = t;
        }
        base.target = self.target.unwrap_or(base.target);
        base.current = self.current.unwrap_or(base.current);
        if let Some(min) = self.min {
            base.min = min;
        }
        if let Some(max) = self.max {
            base.max = max;
        }
        if let Some(unit) = &self.unit {
            base.unit = unit_at(body, unit.as_deref())?;
        }
        Ok(base)
    }
}

/// A unit as stored: trimmed, `None` when empty.
fn unit_at(body: &Loc, raw: Option<&str>) -> Result<Option<String>, ValidationErrors> {
    let Some(raw) = raw else { return Ok(None) };
    let unit = GoalUnit::parse_at(&body.join("unit"), raw)?.into_inner();
    Ok((!unit.is_empty()).then_some(unit))
}

/// The metric of a goal made from `fields` (none when no metric field is given), checked.
fn new_metric(fields: &MetricFields, body: &Loc) -> Result<Option<GoalMetric>, ValidationErrors> {
    if !fields.any() {
        return Ok(None);
    }
    let metric = fields.over(GoalMetric::starting(GoalType::Scale), body)?;
    metric.check(&body.join("min_value"), &body.join("current_value"))?;
    Ok(Some(metric))
}

/// The body of `POST /v1/dev/user/goals`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateGoalRequest {
    /// What the goal is: 1 to 500 characters, not blank.
    pub title: String,
    /// What reaching it looks like, at most 2 000 characters; the title when absent or empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_outcome: Option<String>,
    /// Why it matters, at most 2 000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why_it_matters: Option<String>,
    /// How the user will know it is reached: at most 20, each at most 2 000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_criteria: Option<Vec<String>>,
    /// When it is to be reached.
    #[serde(
        default,
        with = "timestamp::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub horizon_at: Option<DateTime<Utc>>,
    /// How it is measured; with any of the values below and no type, `scale`. Without any
    /// of them the goal has no metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal_type: Option<GoalType>,
    /// Where it is to get (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_value: Option<f64>,
    /// Where it stands (default 0); within `min_value`..=`max_value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_value: Option<f64>,
    /// The lowest value it can take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<f64>,
    /// The highest value it can take; at least `min_value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_value: Option<f64>,
    /// What it counts in, at most 64 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl CreateGoalRequest {
    /// The most success criteria a goal has.
    pub const MAX_SUCCESS_CRITERIA: usize = 20;

    /// A request with only a title; the goal has no metric.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            ..Self::default()
        }
    }

    /// Validate: every problem of the texts at once, then the metric's.
    pub fn validate(&self) -> Result<NewGoal, ValidationErrors> {
        let body = Loc::body();
        let mut problems = Problems::new();
        let title = problems.take(GoalTitle::parse_at(&body.join("title"), &self.title));
        let desired = problems.take(optional_text(
            &body,
            "desired_outcome",
            self.desired_outcome.as_deref(),
        ));
        let why = problems.take(optional_text(
            &body,
            "why_it_matters",
            self.why_it_matters.as_deref(),
        ));
        let criteria = problems.take(success_criteria(
            &body,
            self.success_criteria.as_deref().unwrap_or_default(),
        ));
        let fields = MetricFields {
            goal_type: self.goal_type,
            target: self.target_value,
            current: self.current_value,
            min: self.min_value.map(Some),
            max: self.max_value.map(Some),
            unit: self.unit.clone().map(Some),
        };
        let metric = problems.take(new_metric(&fields, &body));
        problems.finish(|| {
            let title = title?;
            let desired_outcome = desired?
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| title.as_str().to_owned());
            Some(NewGoal {
                title,
                desired_outcome,
                why_it_matters: why?,
                success_criteria: criteria?,
                horizon_at: self.horizon_at.map(timestamp::normalize),
                metric: metric?,
            })
        })
    }
}

/// An optional goal text field, checked and trimmed.
fn optional_text(
    body: &Loc,
    name: &str,
    raw: Option<&str>,
) -> Result<Option<String>, ValidationErrors> {
    raw.map(|raw| GoalText::parse_at(&body.join(name), raw).map(GoalText::into_inner))
        .transpose()
}

/// Success criteria, checked: at most [`CreateGoalRequest::MAX_SUCCESS_CRITERIA`], each a
/// [`GoalText`]; empty ones dropped.
fn success_criteria(body: &Loc, raw: &[String]) -> Result<Vec<String>, ValidationErrors> {
    let loc = body.join("success_criteria");
    let max = CreateGoalRequest::MAX_SUCCESS_CRITERIA;
    if raw.len() > max {
        return Err(ValidationErrors::single(ValidationError::new(
            loc,
            kind::TOO_LONG,
            msg::too_long(max, raw.len()),
        )));
    }
    let mut problems = Problems::new();
    let items: Vec<Option<String>> = raw
        .iter()
        .enumerate()
        .map(|(i, c)| problems.take(GoalText::parse_at(&loc.join(i), c).map(GoalText::into_inner)))
        .collect();
    problems.finish(|| {
        let items: Option<Vec<String>> = items.into_iter().collect();
        Some(items?.into_iter().filter(|c| !c.is_empty()).collect())
    })
}

/// A validated goal to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewGoal {
    /// What the goal is, trimmed.
    pub title: GoalTitle,
    /// What reaching it looks like (the title when not given).
    pub desired_outcome: String,
    /// Why it matters.
    pub why_it_matters: Option<String>,
    /// How the user will know it is reached.
    pub success_criteria: Vec<String>,
    /// When it is to be reached.
    pub horizon_at: Option<DateTime<Utc>>,
    /// How it is measured.
    pub metric: Option<GoalMetric>,
}

/// The body of `PATCH /v1/dev/user/goals/{goal_id}`: at least one field. `null` clears
/// `why_it_matters`, `horizon_at`, `min_value`, `max_value` and `unit`; for the other
/// fields it counts as absent. Any metric field gives a goal without a metric one (a
/// `scale` from 0 towards 0, as in OMI's cloud, then these fields).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateGoalRequest {
    /// A new title, 1 to 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A new desired outcome, at most 2 000 characters (empty: the title).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_outcome: Option<String>,
    /// Why it matters, at most 2 000 characters; `null` clears it.
    #[serde(
        default,
        deserialize_with = "crate::decode::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub why_it_matters: Option<Option<String>>,
    /// New success criteria (replacing the old), at most 20; `[]` clears them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_criteria: Option<Vec<String>>,
    /// When it is to be reached; `null` clears it.
    #[serde(
        default,
        deserialize_with = "present_time",
        serialize_with = "some_time",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<chrono::DateTime<chrono::Utc>>))]
    pub horizon_at: Option<Option<DateTime<Utc>>>,
    /// How it is measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal_type: Option<GoalType>,
    /// Where it is to get.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_value: Option<f64>,
    /// Where it stands; within the bounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_value: Option<f64>,
    /// The lowest value; `null` removes the bound.
    #[serde(
        default,
        deserialize_with = "crate::decode::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    pub min_value: Option<Option<f64>>,
    /// The highest value; `null` removes the bound.
    #[serde(
        default,
        deserialize_with = "crate::decode::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<f64>))]
    pub max_value: Option<Option<f64>>,
    /// What it counts in, at most 64 characters; `null` clears it.
    #[serde(
        default,
        deserialize_with = "crate::decode::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub unit: Option<Option<String>>,
}

/// `crate::decode::present` for a date-time.
fn present_time<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<DateTime<Utc>>>, D::Error> {
    timestamp::optional::deserialize(d).map(Some)
}

/// Serialize a present date-time field (`null` when cleared).
fn some_time<S: Serializer>(t: &Option<Option<DateTime<Utc>>>, s: S) -> Result<S::Ok, S::Error> {
    timestamp::optional::serialize(&t.flatten(), s)
}

impl UpdateGoalRequest {
    /// The message when no field is given (OMI's words).
    pub const NOTHING_TO_UPDATE: &'static str = "At least one field must be provided";

    fn metric_fields(&self) -> MetricFields {
        MetricFields {
            goal_type: self.goal_type,
            target: self.target_value,
            current: self.current_value,
            min: self.min_value,
            max: self.max_value,
            unit: self.unit.clone(),
        }
    }

    /// Validate: at least one field, each given one valid. The metric is checked when the
    /// change meets the goal ([`GoalUpdate::apply`]).
    pub fn validate(&self) -> Result<GoalUpdate, ValidationErrors> {
        let body = Loc::body();
        let metric = self.metric_fields();
        let nothing = self.title.is_none()
            && self.desired_outcome.is_none()
            && self.why_it_matters.is_none()
            && self.success_criteria.is_none()
            && self.horizon_at.is_none()
            && !metric.any();
        if nothing {
            return Err(ValidationErrors::single(ValidationError::new(
                body,
                kind::VALUE_ERROR,
                Self::NOTHING_TO_UPDATE,
            )));
        }
        let mut problems = Problems::new();
        let title = self
            .title
            .as_deref()
            .map(|t| problems.take(GoalTitle::parse_at(&body.join("title"), t)));
        let desired = problems.take(optional_text(
            &body,
            "desired_outcome",
            self.desired_outcome.as_deref(),
        ));
        let why = self
            .why_it_matters
            .as_ref()
            .map(|w| problems.take(optional_text(&body, "why_it_matters", w.as_deref())));
        let criteria = self
            .success_criteria
            .as_deref()
            .map(|c| problems.take(success_criteria(&body, c)));
        let unit = self
            .unit
            .as_ref()
            .map(|u| problems.take(unit_at(&body, u.as_deref())));
        problems.finish(|| {
            Some(GoalUpdate {
                title: given(title)?,
                desired_outcome: desired?,
                why_it_matters: given(why)?,
                success_criteria: given(criteria)?,
                horizon_at: self.horizon_at.map(|h| h.map(timestamp::normalize)),
                metric: MetricFields {
                    unit: given(unit)?,
                    ..metric
                },
            })
        })
    }
}

/// A field that was given (`Some`) and checked (`Some(Some(value))`, or `Some(None)` when
/// its check failed): `None` when it failed, else what was given.
fn given<T>(checked: Option<Option<T>>) -> Option<Option<T>> {
    match checked {
        None => Some(None),
        Some(value) => value.map(Some),
    }
}

/// A validated, non-empty change to a goal.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalUpdate {
    title: Option<GoalTitle>,
    desired_outcome: Option<String>,
    why_it_matters: Option<Option<String>>,
    success_criteria: Option<Vec<String>>,
    horizon_at: Option<Option<DateTime<Utc>>>,
    metric: MetricFields,
}

impl GoalUpdate {
    /// `goal` with this change made at `now`, or why its metric would be invalid
    /// (`min_value` above `max_value`, `current_value` outside them).
    pub fn apply(&self, mut goal: Goal, now: DateTime<Utc>) -> Result<Goal, ValidationErrors> {
        let body = Loc::body();
        if let Some(title) = &self.title {
            goal.title = title.as_str().to_owned();
        }
        if let Some(desired) = &self.desired_outcome {
            goal.desired_outcome = if desired.is_empty() {
                goal.title.clone()
            } else {
                desired.clone()
            };
        }
        if let Some(why) = &self.why_it_matters {
            goal.why_it_matters.clone_from(why);
        }
        if let Some(criteria) = &self.success_criteria {
            goal.success_criteria.clone_from(criteria);
        }
        if let Some(horizon) = self.horizon_at {
            goal.horizon_at = horizon;
        }
        if self.metric.any() {
            let base = goal
                .metric
                .take()
                .unwrap_or_else(|| GoalMetric::starting(GoalType::Scale));
            let metric = self.metric.over(base, &body)?;
            metric.check(&body.join("min_value"), &body.join("current_value"))?;
            goal.metric = Some(metric);
        }
        goal.updated_at = timestamp::normalize(now);
        Ok(goal.derived())
    }
}

/// Query of `GET /v1/dev/user/goals`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ListGoalsQuery {
    /// How many goals, default 10; brought into 1..=1000 (never refused), as in OMI's cloud.
    #[cfg_attr(feature = "openapi", param(default = 10))]
    pub limit: Option<i64>,
    /// Also the achieved and abandoned (deleted) goals; default false.
    pub include_inactive: Option<bool>,
}

/// A validated goal list request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoalListParams {
    /// How many goals, 1..=1000.
    pub limit: u32,
    /// Whether achieved and abandoned goals are listed too.
    pub include_inactive: bool,
}

impl ListGoalsQuery {
    /// The default page size.
    pub const DEFAULT_LIMIT: u32 = 10;
    /// The largest page.
    pub const MAX_LIMIT: u32 = 1000;

    /// The query-string pairs a client sends.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(l) = self.limit {
            pairs.push(("limit", l.to_string()));
        }
        if let Some(i) = self.include_inactive {
            pairs.push(("include_inactive", i.to_string()));
        }
        pairs
    }

    /// Fill defaults and bring `limit` into range.
    pub fn validate(&self) -> Result<GoalListParams, ValidationErrors> {
        let limit = self.limit.map_or(Self::DEFAULT_LIMIT, |l| {
            u32::try_from(l.clamp(1, i64::from(Self::MAX_LIMIT))).unwrap_or(Self::DEFAULT_LIMIT)
        });
        Ok(GoalListParams {
            limit,
            include_inactive: self.include_inactive.unwrap_or(false),
        })
    }
}

impl FromQueryStr for ListGoalsQuery {
    fn from_query_str(raw: &str) -> Result<Self, QueryError> {
        let q = QueryParams::parse(raw);
        let mut problems = Problems::new();
        let limit = q.int("limit", &mut problems);
        let include_inactive = q.bool("include_inactive", &mut problems);
        Ok(problems.finish(|| {
            Some(Self {
                limit,
                include_inactive,
            })
        })?)
    }
}

/// Query of `PATCH /v1/dev/user/goals/{goal_id}/progress`: the value reached (required).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct GoalProgressQuery {
    /// Where the goal stands now: a finite number within its metric's bounds.
    #[cfg_attr(feature = "openapi", param(required = true))]
    pub current_value: Option<f64>,
}

impl GoalProgressQuery {
    /// A query recording `value`.
    pub fn new(value: f64) -> Self {
        Self {
            current_value: Some(value),
        }
    }

    /// The query-string pairs a client sends.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        self.current_value
            .map(|v| ("current_value", v.to_string()))
            .into_iter()
            .collect()
    }

    /// The value: present and finite (its bounds are the goal's, checked when recorded).
    pub fn validate(&self) -> Result<f64, ValidationErrors> {
        let loc = Loc::query("current_value");
        match self.current_value {
            None => Err(ValidationErrors::single(ValidationError::new(
                loc,
                kind::MISSING,
                msg::FIELD_REQUIRED,
            ))),
            Some(v) if !v.is_finite() => Err(ValidationErrors::single(ValidationError::new(
                loc,
                kind::FINITE_NUMBER,
                "Input should be a finite number",
            ))),
            Some(v) => Ok(v),
        }
    }
}

impl FromQueryStr for GoalProgressQuery {
    fn from_query_str(raw: &str) -> Result<Self, QueryError> {
        let q = QueryParams::parse(raw);
        let Some(raw) = q.last("current_value") else {
            return Ok(Self::default());
        };
        match raw.trim().parse::<f64>() {
            Ok(v) => Ok(Self::new(v)),
            Err(_) => Err(ValidationErrors::single(ValidationError::new(
                Loc::query("current_value"),
                kind::FLOAT_PARSING,
                "Input should be a valid number, unable to parse string as a number",
            ))
            .into()),
        }
    }
}

/// Query of `GET /v1/dev/user/goals/{goal_id}/history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct GoalHistoryQuery {
    /// How many days back, 1..=365; default 30.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 365, default = 30))]
    pub days: Option<i64>,
}

impl GoalHistoryQuery {
    /// The default number of days.
    pub const DEFAULT_DAYS: u16 = 30;
    /// The most days.
    pub const MAX_DAYS: u16 = 365;

    /// The query-string pairs a client sends.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        self.days
            .map(|d| ("days", d.to_string()))
            .into_iter()
            .collect()
    }

    /// The number of days, 1..=365.
    pub fn validate(&self) -> Result<u16, ValidationErrors> {
        let Some(days) = self.days else {
            return Ok(Self::DEFAULT_DAYS);
        };
        let loc = Loc::query("days");
        let problem = if days < 1 {
            (kind::GREATER_THAN_EQUAL, msg::greater_than_equal(1))
        } else if days > i64::from(Self::MAX_DAYS) {
            (kind::LESS_THAN_EQUAL, msg::less_than_equal(Self::MAX_DAYS))
        } else {
            return Ok(u16::try_from(days).unwrap_or(Self::DEFAULT_DAYS));
        };
        Err(ValidationErrors::single(ValidationError::new(
            loc, problem.0, problem.1,
        )))
    }
}

impl FromQueryStr for GoalHistoryQuery {
    fn from_query_str(raw: &str) -> Result<Self, QueryError> {
        let q = QueryParams::parse(raw);
        let mut problems = Problems::new();
        let days = q.int("days", &mut problems);
        Ok(problems.finish(|| Some(Self { days }))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        timestamp::parse_datetime(s).unwrap()
    }

    fn goal(request: CreateGoalRequest) -> Goal {
        Goal::create(
            "goal_0123456789ab".into(),
            request.validate().unwrap(),
            at("2026-01-01T08:00:00Z"),
        )
    }

    #[test]
    fn a_goal_without_a_metric_shows_the_clouds_placeholders() {
        let g = goal(CreateGoalRequest::new(" Learn Japanese 日本語 "));
        assert_eq!(g.title, "Learn Japanese 日本語");
        assert_eq!(g.desired_outcome, g.title);
        assert_eq!(g.goal_id, g.id);
        assert_eq!(g.metric, None);
        assert_eq!(
            (g.goal_type, g.target_value, g.min_value, g.max_value),
            (GoalType::Scale, 0.0, 0.0, 10.0)
        );
        assert!(g.is_active);
        assert_eq!(
            (g.status, g.source),
            (GoalStatus::Background, GoalSource::User)
        );
    }

    #[test]
    fn metric_fields_make_a_metric_and_its_aliases() {
        let g = goal(CreateGoalRequest {
            goal_type: Some(GoalType::Numeric),
            target_value: Some(42.0),
            current_value: Some(5.0),
            unit: Some("km".into()),
            ..CreateGoalRequest::new("Run")
        });
        let m = g.metric.clone().unwrap();
        assert_eq!((m.current, m.target), (5.0, 42.0));
        assert_eq!(
            (g.current_value, g.max_value, g.unit.as_deref()),
            (5.0, 42.0, Some("km"))
        );
    }

    #[test]
    fn reversed_bounds_and_an_out_of_range_current_are_refused() {
        let err = CreateGoalRequest {
            min_value: Some(5.0),
            max_value: Some(1.0),
            ..CreateGoalRequest::new("x")
        }
        .validate()
        .unwrap_err();
        assert_eq!(err.items()[0].loc.to_string(), "body.min_value");
        let err = CreateGoalRequest {
            current_value: Some(11.0),
            max_value: Some(10.0),
            ..CreateGoalRequest::new("x")
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            err.items()[0].msg,
            "Input should be less than or equal to 10.0"
        );
    }

    #[test]
    fn progress_is_checked_against_the_bounds_and_recorded() {
        let g = goal(CreateGoalRequest {
            min_value: Some(0.0),
            max_value: Some(10.0),
            ..CreateGoalRequest::new("Mood")
        });
        let err = g
            .clone()
            .with_progress(-1.0, at("2026-01-02T00:00:00Z"))
            .unwrap_err();
        assert_eq!(err.items()[0].loc.to_string(), "query.current_value");
        let later = g.with_progress(7.5, at("2026-01-02T00:00:00Z")).unwrap();
        assert_eq!(later.current_value, 7.5);
        assert_eq!(later.updated_at, at("2026-01-02T00:00:00Z"));
        let qualitative = goal(CreateGoalRequest::new("Read more"));
        let measured = qualitative
            .with_progress(3.0, at("2026-01-02T00:00:00Z"))
            .unwrap();
        assert_eq!(measured.goal_type, GoalType::Numeric);
    }

    #[test]
    fn an_update_overlays_the_metric_and_null_clears() {
        let g = goal(CreateGoalRequest {
            why_it_matters: Some("health".into()),
            max_value: Some(10.0),
            ..CreateGoalRequest::new("Sleep")
        });
        let body = br#"{"why_it_matters": null, "max_value": null, "target_value": 8}"#;
        let update: UpdateGoalRequest = crate::decode::from_json_slice(body).unwrap();
        let changed = update
            .validate()
            .unwrap()
            .apply(g, at("2026-02-01T00:00:00Z"))
            .unwrap();
        assert_eq!(changed.why_it_matters, None);
        assert_eq!(changed.metric.as_ref().and_then(|m| m.max), None);
        assert_eq!(changed.target_value, 8.0);
        assert!(UpdateGoalRequest::default().validate().is_err());
    }

    #[test]
    fn deleting_abandons() {
        let g = goal(CreateGoalRequest::new("x")).abandoned(at("2026-03-01T00:00:00Z"));
        assert_eq!((g.status, g.is_active), (GoalStatus::Abandoned, false));
    }

    #[test]
    fn queries_read_and_check() {
        assert_eq!(
            ListGoalsQuery::from_query_str("limit=5000")
                .unwrap()
                .validate()
                .unwrap()
                .limit,
            1000
        );
        assert!(
            GoalProgressQuery::from_query_str("")
                .unwrap()
                .validate()
                .is_err()
        );
        assert!(
            GoalProgressQuery::from_query_str("current_value=inf")
                .unwrap()
                .validate()
                .is_err()
        );
        assert!(GoalProgressQuery::from_query_str("current_value=abc").is_err());
        assert_eq!(
            GoalProgressQuery::from_query_str("current_value=2.5")
                .unwrap()
                .validate(),
            Ok(2.5)
        );
        assert_eq!(GoalHistoryQuery::default().validate(), Ok(30));
        assert!(GoalHistoryQuery { days: Some(366) }.validate().is_err());
        assert!(GoalHistoryQuery { days: Some(0) }.validate().is_err());
    }

    #[test]
    fn a_history_entry_is_the_utc_day() {
        let e = GoalHistoryEntry::recorded(1.0, at("2026-05-31T23:30:00-02:00"));
        assert_eq!(e.date, "2026-06-01");
    }
}
