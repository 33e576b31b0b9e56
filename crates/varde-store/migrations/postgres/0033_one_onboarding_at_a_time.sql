-- An organisation is onboarded by one run at a time: two contracts of one prospect signed at the
-- same instant (on two nodes) cannot start two runs; the second joins the first.
-- Where that already happened, the later runs are cancelled: the first goes on.
UPDATE onboarding_runs SET status = 'cancelled'
WHERE kind = 'onboarding' AND status = 'running'
  AND id NOT IN (SELECT min(id) FROM onboarding_runs WHERE kind = 'onboarding' AND status = 'running' GROUP BY organization_id);
CREATE UNIQUE INDEX onboarding_runs_one_running ON onboarding_runs (organization_id)
    WHERE kind = 'onboarding' AND status = 'running';
