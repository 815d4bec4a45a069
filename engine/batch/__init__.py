"""Many cases at once: the audit (totals, fold, runner), the what-if comparison and scenario runs."""
