import type { Role } from '../authz/actor';

/** One user per persona, seeded on the embedded default (or with DEMO=1); listed in the README. */
export const DEMO_PASSWORD = 'attest-demo';

export const DEMO_USERS: { email: string; name: string; role: Role; department: string | null; persona: string }[] = [
  { email: 'admin@demo.local', name: 'Arun Admin', role: 'admin', department: 'compliance', persona: 'administrator' },
  {
    email: 'compliance@demo.local',
    name: 'Chanida Srisuk',
    role: 'compliance_manager',
    department: 'compliance',
    persona: 'compliance manager',
  },
  {
    email: 'owner@demo.local',
    name: 'Somchai Jaidee',
    role: 'control_owner',
    department: 'engineering',
    persona: 'control owner (engineering)',
  },
  {
    email: 'owner2@demo.local',
    name: 'Dr. Naree Wongsa',
    role: 'control_owner',
    department: 'clinical',
    persona: 'control owner (clinical)',
  },
  {
    email: 'quality@demo.local',
    name: 'Kanokwan Thongdee',
    role: 'control_owner',
    department: 'quality-regulatory',
    persona: 'control owner (quality and regulatory; signs release safety reviews)',
  },
  {
    email: 'privacy@demo.local',
    name: 'Pimchanok Rattana',
    role: 'privacy_officer',
    department: 'privacy',
    persona: 'privacy officer',
  },
  { email: 'auditor@demo.local', name: 'Alex Auditor', role: 'auditor', department: null, persona: 'auditor' },
  { email: 'viewer@demo.local', name: 'Vipa Viewer', role: 'viewer', department: null, persona: 'viewer' },
];
