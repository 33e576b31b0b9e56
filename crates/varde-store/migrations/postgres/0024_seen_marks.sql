-- When each staff member last marked a page of theirs seen ('customers': the service
-- manager's "My customers"), so the page can say what changed since. Only an explicit
-- "mark as seen" (a POST) moves it; reading the page changes nothing.
CREATE TABLE seen_marks (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    page TEXT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, page)
);
