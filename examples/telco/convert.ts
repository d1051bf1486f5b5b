/**
 * The IBM Telco customer churn data (telco-customer-churn.csv, one row per customer) as the product's own import
 * files. The file has no timeline: each row is a customer's state when the churn label was taken. So each customer
 * gets a timeline of its own that ends there:
 * - its "observation day" O (spread over 60 days so that the backtest meets many as-of dates), with the outcome on
 *   D = O + 90 days: CHURNED (Churn = Yes) or RENEWED;
 * - its journey starts `tenure` months (30 days each) before O;
 * - signals up to O: one `invoice_paid` per month of tenure (value = MonthlyCharges), and for every service it has, a
 *   `feature_used` (subject = the service) when the journey started, half way, and in the week before O;
 * - the other columns become account attributes (contract, paymentMethod, internetService …).
 * A backtest with a 90-day horizon scores each customer at D − 90 = O: exactly the data the label was taken with,
 * and nothing after it. (Attributes have no history: that is what the data set gives.)
 *
 *   node -r @swc-node/register examples/telco/convert.ts [out dir]   → accounts.ndjson, signals.csv
 */
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';

const DAY = 86_400_000;
/** Observation days run from here, one a day for 60 days; outcomes 90 days later (all in the past). */
const FIRST_OBSERVATION = Date.UTC(2026, 0, 5);
export const HORIZON_DAYS = 90;

const SERVICES: Array<[string, (r: Record<string, string>) => boolean]> = [
  ['phone', (r) => r.PhoneService === 'Yes'],
  ['multiple_lines', (r) => r.MultipleLines === 'Yes'],
  ['internet_dsl', (r) => r.InternetService === 'DSL'],
  ['internet_fiber', (r) => r.InternetService === 'Fiber optic'],
  ['online_security', (r) => r.OnlineSecurity === 'Yes'],
  ['online_backup', (r) => r.OnlineBackup === 'Yes'],
  ['device_protection', (r) => r.DeviceProtection === 'Yes'],
  ['tech_support', (r) => r.TechSupport === 'Yes'],
  ['streaming_tv', (r) => r.StreamingTV === 'Yes'],
  ['streaming_movies', (r) => r.StreamingMovies === 'Yes'],
];

export async function convert(csvPath: string, outDir: string): Promise<{ accounts: string; signals: string; customers: number; churned: number; signalCount: number }> {
  mkdirSync(outDir, { recursive: true });
  const accounts: string[] = [];
  const signals: string[] = ['accountExternalId,type,occurredAt,subject,value'];
  let i = 0;
  let churned = 0;
  const iso = (t: number) => new Date(t).toISOString();
  for await (const r of createReadStream(csvPath).pipe(parse({ columns: true, trim: true })) as AsyncIterable<Record<string, string>>) {
    const id = r.customerID;
    const tenure = Number(r.tenure);
    const observed = FIRST_OBSERVATION + (i++ % 60) * DAY;
    const start = observed - tenure * 30 * DAY;
    const outcome = new Date(observed + HORIZON_DAYS * DAY).toISOString().slice(0, 10);
    if (r.Churn === 'Yes') churned++;
    accounts.push(JSON.stringify({
      externalId: id, name: `Customer ${id}`, journeyStartedAt: iso(start),
      attributes: {
        contract: r.Contract, paymentMethod: r.PaymentMethod, paperlessBilling: r.PaperlessBilling, internetService: r.InternetService,
        seniorCitizen: Number(r.SeniorCitizen), partner: r.Partner, dependents: r.Dependents, gender: r.gender,
        monthlyCharges: Number(r.MonthlyCharges),
      },
      lifecycleOutcomes: [{ kind: r.Churn === 'Yes' ? 'CHURNED' : 'RENEWED', date: outcome }],
    }));
    for (let k = 1; k <= tenure; k++) signals.push(`${id},invoice_paid,${iso(start + k * 30 * DAY - 3_600_000)},,${r.MonthlyCharges}`);
    for (const [service, has] of SERVICES) {
      if (!has(r)) continue;
      const times = tenure > 0 ? [start + 3_600_000, start + Math.floor((tenure * 30) / 2) * DAY, observed - 2 * DAY] : [observed - 2 * 3_600_000];
      for (const t of new Set(times)) signals.push(`${id},feature_used,${iso(t)},${service},`);
    }
  }
  const a = path.join(outDir, 'accounts.ndjson');
  const s = path.join(outDir, 'signals.csv');
  writeFileSync(a, `${accounts.join('\n')}\n`);
  writeFileSync(s, `${signals.join('\n')}\n`);
  return { accounts: a, signals: s, customers: accounts.length, churned, signalCount: signals.length - 1 };
}

if (require.main === module) {
  const out = process.argv[2] ?? path.join(__dirname, 'out');
  convert(path.join(__dirname, 'telco-customer-churn.csv'), out)
    .then((r) => process.stdout.write(`${r.customers} customers (${r.churned} churned), ${r.signalCount} signals → ${r.accounts}, ${r.signals}\n`))
    .catch((err) => { process.stderr.write(`${err?.stack ?? err}\n`); process.exit(1); });
}
