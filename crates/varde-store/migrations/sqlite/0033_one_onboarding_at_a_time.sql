-- An organisation is onboarded by one run at a time: two contracts of one prospect signed at the
-- same instant (on two nodes) cannot start two runs; the second joins the first.
CREATE UNIQUE INDEX onboarding_runs_one_running ON onboarding_runs (organization_id)
    WHERE kind = 'onboarding' AND status = 'running';
