-- 0012: goals (/v1/dev/user/goals) and the history of their progress.
--
-- A goal is stored as its wire object (`body`, JSON), which the model keeps consistent
-- (its flat metric fields derived from `metric`); `active` and `created_at` are copies the
-- lists filter and order by.
CREATE TABLE goals (
    uid         TEXT NOT NULL,
    id          TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    active      INTEGER NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (uid, id)
) WITHOUT ROWID;

-- GET /v1/dev/user/goals: one user's goals by age, active ones apart.
CREATE INDEX goals_by_user_age ON goals (uid, active, created_at, id);

-- One entry per goal and UTC day (`day`, YYYY-MM-DD): the last progress recorded that day.
CREATE TABLE goal_history (
    uid      TEXT NOT NULL,
    goal_id  TEXT NOT NULL,
    day      TEXT NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (uid, goal_id, day)
) WITHOUT ROWID;
