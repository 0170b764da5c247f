"""Schemathesis hooks of `cargo xtask schemathesis`, loaded through xtask/schemathesis.toml.

Each hook works around known false positives listed, numbered and with their reasons, in that
file: a rule the document states in words because JSON Schema cannot, which Schemathesis
breaks in cases it believes valid, or a case Schemathesis judges by a value that is not what
goes on the wire. The hooks leave every check on; they only keep such cases from being sent
(or send the value Schemathesis meant).
"""

import uuid
from datetime import datetime, timezone

import schemathesis

# The operations whose body has a time range, `finished_at` not before `started_at`, which
# is now when the body gives none.
TIME_RANGE_OPERATIONS = {
    "POST /v2/integrations/{app_id}/user/conversations",
    "POST /v1/dev/user/conversations",
    "POST /v1/dev/user/conversations/from-segments",
}

SEGMENTS_OPERATION = "POST /v1/dev/user/conversations/from-segments"

GOAL_CREATE = "POST /v1/dev/user/goals"


def _operation(case):
    return f"{case.method.upper()} {case.operation.path}"


def _instant(value):
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def _outside_bounds(body):
    """Whether a goal create's metric breaks its bounds: `min_value` above `max_value`, or
    `current_value` (0 when absent) outside them."""
    low, high = _number(body.get("min_value")), _number(body.get("max_value"))
    current = _number(body.get("current_value"))
    if current is None:
        current = 0.0
    if low is not None and high is not None and low > high:
        return True
    return (low is not None and current < low) or (high is not None and current > high)


def _vanishes(value):
    """Whether a query value is sent as nothing (`name=` or no parameter at all)."""
    if value is None or value == "" or value == [] or value == {}:
        return True
    if isinstance(value, list):
        return all(_vanishes(item) for item in value)
    return False


@schemathesis.hook
def filter_case(context, case):
    """False positives 1, 2, 4 and 5: a time range or a segment that ends before it starts,
    a query value that is sent as nothing, and a goal whose metric breaks its bounds."""
    query = case.query if isinstance(case.query, dict) else {}
    if any(_vanishes(value) for value in query.values()):
        return False
    body = case.body
    if not isinstance(body, dict):
        return True
    operation = _operation(case)
    if operation in TIME_RANGE_OPERATIONS:
        started = _instant(body.get("started_at"))
        finished = _instant(body.get("finished_at"))
        if started is None and body.get("started_at") is None:
            started = datetime.now(timezone.utc)
        if started is not None and finished is not None:
            try:
                if finished < started:
                    return False
            except TypeError:
                pass
    if operation == GOAL_CREATE and _outside_bounds(body):
        return False
    segments = body.get("transcript_segments")
    if operation == SEGMENTS_OPERATION and isinstance(segments, list):
        for segment in segments:
            if isinstance(segment, dict):
                start, end = _number(segment.get("start")), _number(segment.get("end"))
                if start is not None and end is not None and end <= start:
                    return False
    return True


def _usable_key(value):
    text = value.strip() if isinstance(value, str) else ""
    return 0 < len(text) <= 255 and all(" " <= c <= "~" for c in text)


@schemathesis.hook
def before_call(context, case, kwargs):
    """False positive 3: one generated Idempotency-Key sent with different requests."""
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and _usable_key(headers[name]):
            headers[name] = uuid.uuid4().hex


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    """The body of `POST /v1/dev/user/import`: newline-delimited JSON, one generated export
    line per line (a list is several lines; anything else one line)."""
    import json

    lines = value if isinstance(value, list) else [value]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-8")
