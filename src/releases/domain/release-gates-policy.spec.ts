import { validateReleaseGates } from './release-gates-policy';
import type { ProductGatePolicy, ReleaseGatesPolicy } from './release-model';

const product = (over: Partial<ProductGatePolicy> = {}): ProductGatePolicy => ({
  key: 'patient-platform',
  name: 'Patient platform',
  samd: true,
  automatic: ['tests_passed', 'sbom_present'],
  signed: [
    { key: 'qa', name: 'QA', meaning: 'QA passed', signers: [{ department: 'engineering' }] },
    { key: 'clause9', name: 'Clause 9', meaning: 'Reviewed', signers: [{ role: 'admin' }], riskReport: true },
  ],
  ...over,
});
const policy = (products: ProductGatePolicy[], over: Partial<ReleaseGatesPolicy> = {}): ReleaseGatesPolicy => ({
  blockingSeverity: 'high',
  findingSlaDays: { critical: 14, high: 14, moderate: 60, low: 90, info: 180 },
  keyRotationDays: { third_party: 30, service_role: 90 },
  products,
  ...over,
});
const DEPARTMENTS = ['engineering', 'clinical'];

describe('validateReleaseGates', () => {
  it('accepts a sound policy', () => {
    expect(validateReleaseGates(policy([product()]), DEPARTMENTS)).toEqual([]);
  });

  it('names each problem by its path', () => {
    const bad = product({
      automatic: ['sbom_present', 'sbom_present'],
      signed: [
        { key: 'qa', name: 'QA', meaning: 'm', signers: [] },
        { key: 'qa', name: 'QA again', meaning: 'm', signers: [{}, { department: 'legal' }] },
        { key: 'tests_passed', name: 'T', meaning: 'm', signers: [{ role: 'admin' }], riskReport: true },
        { key: 'c9', name: 'C9', meaning: 'm', signers: [{ role: 'admin' }], riskReport: true },
      ],
    });
    expect(validateReleaseGates(policy([bad, product({ samd: false, signed: [] }), product()]), DEPARTMENTS)).toEqual([
      { path: ['products', 0, 'automatic', 1], message: 'gate "sbom_present" is listed twice' },
      { path: ['products', 0, 'signed', 0, 'signers'], message: 'must name at least one signer' },
      { path: ['products', 0, 'signed', 1, 'key'], message: 'gate "qa" is listed twice' },
      { path: ['products', 0, 'signed', 1, 'signers', 0], message: 'must name a role, a department, or both' },
      {
        path: ['products', 0, 'signed', 1, 'signers', 1, 'department'],
        message: '"legal" is not a department in departments.yaml',
      },
      { path: ['products', 0, 'signed', 2, 'key'], message: '"tests_passed" is an automatic gate\'s key' },
      {
        path: ['products', 0, 'signed', 3, 'riskReport'],
        message: 'only one gate of a product may sign the risk management report',
      },
      { path: ['products', 1, 'key'], message: 'product "patient-platform" is listed twice' },
      { path: ['products', 2, 'key'], message: 'product "patient-platform" is listed twice' },
    ]);
  });

  it('requires the clause 9 gate of software as a medical device only', () => {
    const withoutReport = product({ signed: [{ key: 'qa', name: 'QA', meaning: 'm', signers: [{ role: 'admin' }] }] });
    expect(validateReleaseGates(policy([withoutReport]), DEPARTMENTS)).toEqual([
      {
        path: ['products', 0, 'signed'],
        message:
          'software as a medical device needs the ISO 14971 clause 9 review: a signed gate with riskReport: true',
      },
    ]);
    expect(validateReleaseGates(policy([{ ...withoutReport, samd: false }]), DEPARTMENTS)).toEqual([]);
  });

  it('skips the department check when departments.yaml could not be read (its own problem is reported)', () => {
    expect(validateReleaseGates(policy([product()]), null)).toEqual([]);
    expect(validateReleaseGates(policy([product()]), [])).toHaveLength(1);
  });

  it('keeps deadlines in severity order and needs a product', () => {
    const slas = { critical: 30, high: 14, moderate: 60, low: 30, info: 180 };
    expect(validateReleaseGates(policy([], { findingSlaDays: slas }), DEPARTMENTS)).toEqual([
      {
        path: ['findingSlaDays', 'high'],
        message: "must not be shorter than critical's (30 days): a less severe finding may not be more urgent",
      },
      {
        path: ['findingSlaDays', 'low'],
        message: "must not be shorter than moderate's (60 days): a less severe finding may not be more urgent",
      },
      { path: ['products'], message: 'must list at least one product' },
    ]);
  });
});
