import { api, call } from "../api/client";
import type { components } from "../api/schema";
import { ErrorAlert } from "../ui/ErrorAlert";
import { useLoad } from "../components/useLoad";
import { usePageTitle } from "../ui/usePageTitle";
import { budgetShare, budgetTone, formatCount, formatDateTime, formatRelative, formatUsd } from "../format";

type Usage = components["schemas"]["Usage"];
type Budget = components["schemas"]["Budget"];

/** `/usage`: this month's token budget and what used it. */
export function UsagePage() {
  usePageTitle("Usage");
  const usage = useLoad((signal) => call(api.GET("/api/v1/usage", { signal })), []);

  return (
    <section className="page" aria-labelledby="usage-title">
      <div className="page-head">
        <h1 id="usage-title">Usage</h1>
        <div className="page-actions">
          <button type="button" onClick={() => void usage.reload()} disabled={usage.loading}>
            {usage.loading ? "Loading…" : "Refresh"}
          </button>
        </div>
      </div>
      {usage.error && <ErrorAlert title="Could not load your usage." error={usage.error} />}
      {!usage.data && !usage.error && <p className="muted">Loading…</p>}
      {usage.data && <UsageReport usage={usage.data} />}
    </section>
  );
}

function UsageReport({ usage }: { usage: Usage }) {
  return (
    <>
      <BudgetCard budget={usage.budget} />
      <dl className="summary" data-testid="usage-totals">
        <div className="summary-card">
          <dt>Tokens in</dt>
          <dd data-testid="tokens-in">{formatCount(usage.tokens_in)}</dd>
        </div>
        <div className="summary-card">
          <dt>Tokens out</dt>
          <dd data-testid="tokens-out">{formatCount(usage.tokens_out)}</dd>
        </div>
        <div className="summary-card">
          <dt>Cost</dt>
          <dd data-testid="cost">{formatUsd(usage.cost_usd)}</dd>
        </div>
      </dl>

      <h2>By model and app</h2>
      {usage.breakdown.length === 0 ? (
        <p className="muted" data-testid="no-usage">
          Nothing used yet this month.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="breakdown">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">App</th>
                <th scope="col" className="num">
                  Requests
                </th>
                <th scope="col" className="num">
                  Tokens in
                </th>
                <th scope="col" className="num">
                  Tokens out
                </th>
                <th scope="col" className="num">
                  Cost
                </th>
              </tr>
            </thead>
            <tbody>
              {usage.breakdown.map((line) => (
                <tr key={`${line.model}\u0000${line.app}`}>
                  <th scope="row">{line.model}</th>
                  <td>{line.app}</td>
                  <td className="num">{formatCount(line.requests)}</td>
                  <td className="num">{formatCount(line.tokens_in)}</td>
                  <td className="num">{formatCount(line.tokens_out)}</td>
                  <td className="num">{formatUsd(line.cost_usd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function BudgetCard({ budget }: { budget: Budget }) {
  const limit = budget.limit ?? null;
  const share = budgetShare(budget.used, limit);
  const tone = budgetTone(share);
  const percent = share === null ? null : Math.round(share * 1000) / 10;
  return (
    <div className="card budget" data-testid="budget">
      <div className="budget-head">
        <h2 className="budget-title">Token budget for {budget.month}</h2>
        <span className="budget-used" data-testid="budget-used">
          {limit === null
            ? `${formatCount(budget.used)} tokens used · no limit`
            : `${formatCount(budget.used)} of ${formatCount(limit)} tokens used`}
        </span>
      </div>
      {share !== null && (
        <div
          className={`progress progress-${tone}`}
          role="progressbar"
          aria-label="Share of this month's token budget used"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent ?? 0}
          aria-valuetext={`${percent} %`}
          data-testid="budget-bar"
        >
          <div className="progress-fill" style={{ width: `${(share * 100).toFixed(2)}%` }} />
        </div>
      )}
      <dl className="facts">
        <div>
          <dt>Remaining</dt>
          <dd data-testid="budget-remaining">
            {budget.remaining === null || budget.remaining === undefined
              ? "Unlimited"
              : `${formatCount(budget.remaining)} tokens`}
          </dd>
        </div>
        {percent !== null && (
          <div>
            <dt>Used</dt>
            <dd>{percent} %</dd>
          </div>
        )}
        <div>
          <dt>Resets</dt>
          <dd data-testid="budget-resets">
            <time dateTime={budget.resets_at} title={budget.resets_at}>
              {formatDateTime(budget.resets_at)}
            </time>{" "}
            <span className="muted">({formatRelative(budget.resets_at)})</span>
          </dd>
        </div>
      </dl>
    </div>
  );
}
