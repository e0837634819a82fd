// Every route × every role (and anonymous), generated from the live route table and checked against an
// oracle written here independently of the CASL rules. A new route without a declared policy, or with
// a policy the oracle does not know, fails this test. The auditor appears twice: the demo auditor inside
// an active engagement (SOC 2, this year), and an auditor without one; the engaged one's reads are also
// checked on rows (in scope: answered; out of scope: 404) at the end.
import { randomUUID } from 'node:crypto';
import { ROLES, type Role } from '../../src/authz/actor';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { routeTable, RouteInfo } from '../support/routes';

const ALL: Role[] = [...ROLES];
/** Which roles may perform each (action, subject) at route level. Keep in step with the product rules, not with the code. */
const ORACLE: Record<string, Role[]> = {
  'read User': ALL,
  'create User': ['admin'],
  'update User': ['admin'],
  'read Department': ALL,
  'read ApiToken': ALL,
  'create ApiToken': ALL,
  'delete ApiToken': ALL,
  'read AuditLog': ['admin', 'compliance_manager'],
  'read Framework': ALL,
  'read Requirement': ALL,
  'read Control': ALL,
  'update Control': ['admin', 'compliance_manager'],
  // Auditors read only inside an active engagement; the demo auditor holds one (SOC 2, this year), so they
  // get through the guard on the reads it opens. Without one they get 403 (test/e2e/engagements-http).
  'read Evidence': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor'],
  'create Evidence': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer'],
  'read Sweep': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor'],
  'create Sweep': ['admin', 'compliance_manager'],
  'update Sweep': ['admin', 'compliance_manager'],
  // An auditor reads a sweep's tasks of the controls in scope (rows are scoped in SQL).
  'read SweepTask': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor'],
  'update SweepTask': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer'],
  'read Posture': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor', 'viewer'],
  // Notifications are personal: every role reads and marks its own (rows are scoped in the service).
  'read Notification': ALL,
  'update Notification': ALL,
  // Risks: managers manage every risk; privacy officers and clinical control owners their own ISO 14971
  // risks. The control owner here (owner@demo.local) is in engineering, so not let through.
  'read Risk': ['admin', 'compliance_manager', 'privacy_officer', 'auditor'],
  'create Risk': ['admin', 'compliance_manager', 'privacy_officer'],
  'update Risk': ['admin', 'compliance_manager', 'privacy_officer'],
  // DSRs: the privacy officer executes them; compliance managers read the register (without identity) and
  // run drills; control owners complete manual DSR tasks assigned to them (rows are scoped in the service).
  'read DsrRequest': ['admin', 'compliance_manager', 'privacy_officer', 'auditor'],
  'create DsrRequest': ['admin', 'privacy_officer'],
  'update DsrRequest': ['admin', 'privacy_officer'],
  'read DataSystem': ['admin', 'compliance_manager', 'privacy_officer'],
  'create DataSystem': ['admin', 'privacy_officer'],
  'update DataSystem': ['admin', 'privacy_officer'],
  'read DsrDrill': ['admin', 'compliance_manager', 'privacy_officer', 'auditor'],
  'create DsrDrill': ['admin', 'compliance_manager', 'privacy_officer'],
  'read DsrTask': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer'],
  'update DsrTask': ['admin', 'control_owner', 'privacy_officer'],
  // Risk management plans: read by whoever may hold ISO 14971 risks; written by managers and the clinical
  // department (not in this matrix: owner@demo.local is in engineering).
  'read RiskPlan': ['admin', 'compliance_manager', 'privacy_officer'],
  'update RiskPlan': ['admin', 'compliance_manager'],
  // Audit packs: compliance managers (and admins) request, read and download them; an auditor only for a
  // scope inside an active engagement (the demo auditor holds one, so the guard lets them through).
  'read AuditPack': ['admin', 'compliance_manager', 'auditor'],
  'create AuditPack': ['admin', 'compliance_manager', 'auditor'],
  // Engagements: compliance managers open and revoke them and answer requests; an auditor reads their own
  // and raises requests inside an active one (compliance managers answer, they do not raise).
  'read Engagement': ['admin', 'compliance_manager', 'auditor'],
  'create Engagement': ['admin', 'compliance_manager'],
  'update Engagement': ['admin', 'compliance_manager'],
  'read EngagementRequest': ['admin', 'compliance_manager', 'auditor'],
  'create EngagementRequest': ['admin', 'auditor'],
  'update EngagementRequest': ['admin', 'compliance_manager'],
  // Incidents: anyone signed in reports and reads what they reported (rows are scoped in SQL); those who may
  // be assigned one (commander, CAPA owner) get through the guard on changes, rows decide. The breach
  // assessment and PDPA notices are the privacy officer's; Thai FDA reports the clinical department's (not
  // in this matrix: owner@demo.local is in engineering). Compliance managers run the rest.
  'create Incident': ALL,
  'read Incident': ALL,
  'update Incident': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer'],
  'create BreachAssessment': ['admin', 'privacy_officer'],
  'read BreachAssessment': ['admin', 'compliance_manager', 'privacy_officer'],
  'create IncidentNotice': ['admin', 'privacy_officer'],
  'update IncidentCapa': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer'],
  // Controlled documents: everyone reads the published ones that apply to them (an auditor inside an
  // engagement; rows are scoped in SQL); control owners and privacy officers draft and submit their
  // department's (rows decide) and may be asked to sign (the document type's approvers decide); compliance
  // managers publish.
  'read Document': ALL,
  'create Document': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer'],
  'update Document': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer'],
  'manage Document': ['admin', 'compliance_manager'],
  'create DocumentVersion': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer'],
  'update DocumentVersion': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer'],
  'create DocumentSignature': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer'],
  // Acknowledgements: everyone but auditors reads and acknowledges their own tasks (rows decide); rosters
  // are for compliance, the owner department and auditors inside an engagement (the service decides).
  'read DocumentAcknowledgement': ALL,
  'update DocumentAcknowledgement': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'viewer'],
  // Releases: read by everyone who may be asked to sign a gate, and by auditors inside an engagement (rows
  // by build time); created and given files by engineering (owner@demo.local is in engineering) and its CI
  // tokens; signed by those a gate names in controls/release-gates.yaml (the service decides which gate).
  'read Release': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor'],
  'create Release': ['admin', 'compliance_manager', 'control_owner'],
  'update Release': ['admin', 'compliance_manager', 'control_owner'],
  'create ReleaseSignature': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer'],
  // Findings: control owners and privacy officers manage their own department's (rows decide: 404 outside
  // it); auditors read those opened within an engagement; engineering (and its CI tokens) imports scanner
  // reports and records pen tests; only compliance managers and admins sign risk acceptances. Viewers none.
  'read Finding': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor'],
  'create Finding': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer'],
  'update Finding': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer'],
  'create FindingImport': ['admin', 'compliance_manager', 'control_owner'],
  'create FindingAcceptance': ['admin', 'compliance_manager'],
  'read PenTest': ['admin', 'compliance_manager', 'control_owner', 'privacy_officer'],
  'create PenTest': ['admin', 'compliance_manager', 'control_owner'],
  // Keys and credentials: control owners manage their department's keys and record or attest rotations (CI
  // with their tokens); compliance managers and admins all; the engaged auditor reads (SOC 2: ACC-04).
  'read Key': ['admin', 'compliance_manager', 'control_owner', 'auditor'],
  'create Key': ['admin', 'compliance_manager', 'control_owner'],
  'create KeyRotation': ['admin', 'compliance_manager', 'control_owner'],
};
const EMAIL: Record<Role, string> = {
  admin: DEMO.admin,
  compliance_manager: DEMO.compliance,
  control_owner: DEMO.owner,
  privacy_officer: DEMO.privacy,
  auditor: DEMO.auditor,
  viewer: DEMO.viewer,
};

/** What an auditor without an active engagement may do: the catalog, their own account and engagements. */
const WITHOUT_ENGAGEMENT = new Set([
  'read User',
  'read Department',
  'read ApiToken',
  'create ApiToken',
  'delete ApiToken',
  'read Framework',
  'read Requirement',
  'read Control',
  'read Notification',
  'update Notification',
  'read Engagement',
  // Anyone signed in may report an incident and read what they reported.
  'create Incident',
  'read Incident',
]);
type Persona = Role | 'auditor_without_engagement';
const PERSONAS: Persona[] = [...ROLES, 'auditor_without_engagement'];
const allowed = (persona: Persona, key: string) =>
  persona === 'auditor_without_engagement' ? WITHOUT_ENGAGEMENT.has(key) : !!ORACLE[key]?.includes(persona);

let t: TestApp;
let routes: RouteInfo[];
const tokens = {} as Record<Persona, string>;

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  routes = routeTable(t.app);
  // Bearer tokens rather than cookies, so calling the logout route does not end the session under test.
  for (const role of ROLES) {
    const cookie = await login(t.baseUrl, EMAIL[role]);
    tokens[role] = (await client(t.baseUrl, cookie)('POST', '/api/tokens', { name: 'matrix' })).json.token;
  }
  const created = await client(t.baseUrl, tokens.admin)('POST', '/api/users', {
    email: 'plain-auditor@audit.test',
    name: 'Pat Plain',
    role: 'auditor',
  });
  const cookie = await login(t.baseUrl, 'plain-auditor@audit.test', created.json.oneTimePassword);
  tokens.auditor_without_engagement = (
    await client(t.baseUrl, cookie)('POST', '/api/tokens', { name: 'matrix' })
  ).json.token;
});
afterAll(async () => t?.close());

it('finds the routes', () => {
  expect(routes.length).toBeGreaterThanOrEqual(15);
  expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
    expect.arrayContaining(['GET /api/me', 'GET /api/users/:id', 'GET /health', 'GET /api/audit-trail/verify']),
  );
});

it('every route declares its access: @Public, @Authenticated or a @Policy the oracle knows', () => {
  const undeclared = routes
    .filter((r) => r.access.kind === 'none')
    .map((r) => `${r.method} ${r.path} (${r.controller}.${r.handler})`);
  expect(undeclared).toEqual([]);
  const unknown = routes.flatMap((r) =>
    r.access.kind === 'policy' && !ORACLE[`${r.access.policy.action} ${r.access.policy.subject}`]
      ? [`${r.method} ${r.path}: ${r.access.policy.action} ${r.access.policy.subject}`]
      : [],
  );
  expect(unknown).toEqual([]);
});

it('role × route: allowed roles get through the guards, others get 403, anonymous 401', async () => {
  const failures: string[] = [];
  let checked = 0;
  for (const route of routes) {
    const path = route.path.replace(/:[A-Za-z]+/g, randomUUID());
    const body = ['POST', 'PATCH', 'PUT'].includes(route.method) ? {} : undefined;
    for (const role of [null, ...PERSONAS] as (Persona | null)[]) {
      const res = await client(t.baseUrl, role === null ? null : tokens[role])(route.method, path, body);
      checked++;
      let expected: 'through' | 401 | 403;
      if (route.access.kind === 'public') expected = 'through';
      else if (role === null) expected = 401;
      else if (route.access.kind === 'authenticated') expected = 'through';
      else if (route.access.kind === 'policy')
        expected = allowed(role, `${route.access.policy.action} ${route.access.policy.subject}`) ? 'through' : 403;
      else expected = 403;
      const ok =
        expected === 'through' ? ![401, 403].includes(res.status) && res.status < 500 : res.status === expected;
      if (!ok)
        failures.push(
          `${route.method} ${route.path} as ${role ?? 'anonymous'}: got ${res.status}, expected ${expected} ${res.text.slice(0, 120)}`,
        );
    }
  }
  expect(failures).toEqual([]);
  expect(checked).toBe(routes.length * (PERSONAS.length + 1));
}, 300_000);

it('auditor with an engagement (SOC 2, this year): every read route answers rows in scope and 404 for rows out of scope', async () => {
  const auditor = client(t.baseUrl, tokens.auditor);
  const manager = client(t.baseUrl, tokens.compliance_manager);
  const privacy = client(t.baseUrl, tokens.privacy_officer);
  const scale = (await manager('GET', '/api/risks/heatmap?register=iso14971')).json as {
    severity: { level: string }[];
    probability: { level: string }[];
  };
  const iso = await manager('POST', '/api/risks', {
    register: 'iso14971',
    ref: 'HAZ-990',
    product: 'matrix',
    title: 't',
    hazard: 'h',
    sequenceOfEvents: 's',
    hazardousSituation: 'hs',
    harm: 'x',
    severity: scale.severity[0].level,
    probability: scale.probability[0].level,
  });
  const dsr = await privacy('POST', '/api/dsr/requests', {
    right: 'access',
    channel: 'email',
    subject: { name: 'Matrix Subject', email: 'matrix@patient.test' },
  });
  const lastYear = `${new Date().getUTCFullYear() - 1}-W30`;
  expect((await manager('POST', '/api/sweeps', { week: lastYear })).status).toBe(200);
  const week = (await manager('POST', '/api/sweeps', {})).json.week as string;
  // [path, status for the engaged auditor]: in scope answered, out of scope 404.
  const cases: [string, number][] = [
    [`/api/risks/${iso.json.id}`, 404], // ISO 14971: not SOC 2
    [`/api/risks/${iso.json.id}/history`, 404],
    [`/api/dsr/requests/${dsr.json.id}`, 200], // received this year: SOC 2 privacy criteria
    [`/api/sweeps/${week}`, 200],
    [`/api/sweeps/${week}/tasks`, 200],
    [`/api/sweeps/${lastYear}`, 404], // a week before the period
    [`/api/sweeps/${lastYear}/tasks`, 404],
  ];
  const got = [];
  for (const [path] of cases) got.push([path, (await auditor('GET', path)).status]);
  expect(got).toEqual(cases);
  for (const [path] of cases) expect([path, (await manager('GET', path)).status]).toEqual([path, 200]);
});
