// A PATCH keeps what is absent, clears what is null, and P replaces P1 × P2 (and the other way round).
import { mergeFields, type OwnedRiskFields } from './risk-merge';

const stored: OwnedRiskFields = {
  register: 'iso14971',
  ref: 'HAZ-001',
  product: 'Triage',
  title: 'Wrong dose shown',
  hazard: 'Wrong number',
  sequenceOfEvents: null,
  hazardousSituation: null,
  harm: 'Overdose',
  severity: 'S4',
  probability: null,
  p1: 'P2',
  p2: 'P3',
  residualSeverity: null,
  residualProbability: null,
  benefitRisk: null,
  status: 'open',
  treatment: null,
  dueOn: '2026-12-31',
  ownerUserId: 'u1',
};

it('keeps every field when nothing is given, and never changes register or ref', () => {
  expect(mergeFields(stored, {})).toEqual(stored);
});

it('clears a nullable field given as null and replaces one given a value', () => {
  const merged = mergeFields(stored, { harm: null, title: 'Dose shown in wrong unit', ownerUserId: 'u2' });
  expect(merged).toMatchObject({
    harm: null,
    title: 'Dose shown in wrong unit',
    ownerUserId: 'u2',
    hazard: 'Wrong number',
  });
});

it('a new P replaces P1 × P2', () => {
  expect(mergeFields(stored, { probability: 'P3' })).toMatchObject({ probability: 'P3', p1: null, p2: null });
});

it('a new P1 keeps the stored P2 and drops P', () => {
  const withP = { ...stored, probability: 'P2', p1: null, p2: null };
  expect(mergeFields(withP, { p1: 'P1' })).toMatchObject({ probability: null, p1: 'P1', p2: null });
  expect(mergeFields(stored, { p1: 'P1' })).toMatchObject({ probability: null, p1: 'P1', p2: 'P3' });
});
