-- 0008: goals (/v1/dev/user/goals) and the history of their progress (as SQLite's 0012).
CREATE TABLE goals (
    uid         TEXT COLLATE "C" NOT NULL,
    id          TEXT COLLATE "C" NOT NULL,
    created_at  BIGINT NOT NULL,
    active      BOOLEAN NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (uid, id)
);

CREATE INDEX goals_by_user_age ON goals (uid, active, created_at, id);

CREATE TABLE goal_history (
    uid      TEXT COLLATE "C" NOT NULL,
    goal_id  TEXT COLLATE "C" NOT NULL,
    day      TEXT COLLATE "C" NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (uid, goal_id, day)
);
