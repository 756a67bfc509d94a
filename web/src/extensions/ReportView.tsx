import type { Finding, ReportView as Report } from "./model";

/** The validation report: findings, the browser check (or "not checked"), repairs, timings. */
export function ReportView({ report }: { report: Report }) {
  const tone =
    report.browser.status === "loaded" ? "badge-ok" : report.browser.status === "failed" ? "badge-bad" : "badge-muted";
  return (
    <div data-testid="extension-report">
      <p>
        Browser check: <span className={`badge ${tone}`}>{report.browser.status.replace("_", " ")}</span>{" "}
        {report.browser.text}
      </p>
      {report.browser.status === "failed" && (
        <ul aria-label="Chromium errors">
          {report.browser.errors.map((e) => (
            <li key={e}>
              <code>{e}</code>
            </li>
          ))}
        </ul>
      )}
      {report.findings.length === 0 ? (
        <p className="muted">No findings.</p>
      ) : (
        <Findings findings={report.findings} label="Findings" />
      )}
      {report.repairs.map((r) => (
        <details key={r.round}>
          <summary>
            Repair round {r.round}: {r.findings.length} error(s) sent back to the model
          </summary>
          <Findings findings={r.findings} label={`Round ${r.round} findings`} />
        </details>
      ))}
      {report.timings.length > 0 && (
        <p className="muted">
          Server time: {report.timings.map(([step, ms]) => `${step.replace("_", " ")} ${ms} ms`).join(" · ")}
        </p>
      )}
    </div>
  );
}

function Findings({ findings, label }: { findings: Finding[]; label: string }) {
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          <th>Severity</th>
          <th>Code</th>
          <th>File</th>
          <th>Message</th>
        </tr>
      </thead>
      <tbody>
        {findings.map((f, i) => (
          <tr key={`${f.code}-${f.file ?? ""}-${i}`}>
            <td>
              <span className={`badge ${f.severity === "error" ? "badge-bad" : "badge-warn"}`}>{f.severity}</span>
            </td>
            <td>
              <code>{f.code}</code>
            </td>
            <td>{f.file ? <code>{f.file}</code> : "—"}</td>
            <td>{f.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
