import {
  describeSlot,
  fills,
  isApprover,
  quorum,
  validateDocumentTypes,
  type DocumentTypePolicy,
} from './document-approvals';

const policy: DocumentTypePolicy = {
  reviewCadenceMonths: 12,
  approvers: [{ role: 'compliance_manager' }, { department: 'owner' }],
};
const cm = { userId: 'cm', role: 'compliance_manager', departmentKey: 'compliance' };
const eng = { userId: 'eng', role: 'control_owner', departmentKey: 'engineering' };
const eng2 = { userId: 'eng2', role: 'privacy_officer', departmentKey: 'engineering' };
const clin = { userId: 'clin', role: 'control_owner', departmentKey: 'clinical' };
const auditor = { userId: 'aud', role: 'auditor', departmentKey: 'engineering' };

describe('fills', () => {
  it('matches role, department (owner = the document’s) or both', () => {
    expect(fills({ role: 'compliance_manager' }, cm, 'engineering')).toBe(true);
    expect(fills({ role: 'compliance_manager' }, eng, 'engineering')).toBe(false);
    expect(fills({ department: 'owner' }, eng, 'engineering')).toBe(true);
    expect(fills({ department: 'owner' }, clin, 'engineering')).toBe(false);
    expect(fills({ department: 'clinical' }, clin, 'engineering')).toBe(true);
    expect(fills({ role: 'control_owner', department: 'owner' }, eng2, 'engineering')).toBe(false);
  });
  it('never lets an auditor or viewer approve, whatever their department', () => {
    expect(fills({ department: 'owner' }, auditor, 'engineering')).toBe(false);
    expect(isApprover(policy, { ...auditor, role: 'viewer' }, 'engineering')).toBe(false);
  });
});

describe('quorum', () => {
  it('needs every slot filled by a distinct person', () => {
    expect(quorum(policy, [], 'engineering')).toEqual({ met: false, missing: policy.approvers });
    expect(quorum(policy, [cm], 'engineering')).toEqual({ met: false, missing: [{ department: 'owner' }] });
    expect(quorum(policy, [eng, eng2], 'engineering')).toEqual({
      met: false,
      missing: [{ role: 'compliance_manager' }],
    });
    expect(quorum(policy, [eng, cm], 'engineering').met).toBe(true);
  });

  it('one person fills one slot only, even when they qualify for both', () => {
    // The compliance manager of a compliance-owned document is of the owner department too.
    expect(quorum(policy, [cm], 'compliance').met).toBe(false);
    expect(quorum(policy, [cm, cm], 'compliance').met).toBe(false);
    const colleague = { userId: 'admin', role: 'admin', departmentKey: 'compliance' };
    expect(quorum(policy, [cm, colleague], 'compliance').met).toBe(true);
  });

  it('does not depend on the order of signatures (a matching, not first come first served)', () => {
    const p: DocumentTypePolicy = {
      reviewCadenceMonths: 12,
      approvers: [{ department: 'owner' }, { role: 'privacy_officer', department: 'owner' }],
    };
    // eng2 fits both slots; eng only the first. Greedy in this order would give eng2 the first slot.
    expect(quorum(p, [eng2, eng], 'engineering').met).toBe(true);
    expect(quorum(p, [eng, eng2], 'engineering').met).toBe(true);
  });
});

describe('describeSlot', () => {
  it('says who is needed', () => {
    expect(describeSlot({ role: 'compliance_manager' })).toBe('a compliance_manager');
    expect(describeSlot({ department: 'owner' })).toBe('someone of the owner department');
    expect(describeSlot({ role: 'control_owner', department: 'clinical' })).toBe('a control_owner of clinical');
  });
});

describe('validateDocumentTypes', () => {
  it('names a missing type, an unknown one, no approvers and an empty approver', () => {
    expect(
      validateDocumentTypes(
        {
          policy,
          memo: policy,
          plan: { reviewCadenceMonths: 12, approvers: [] },
          standard: { reviewCadenceMonths: 1, approvers: [{}] },
        },
        ['policy', 'plan', 'standard', 'procedure'],
      ),
    ).toEqual([
      { path: ['types'], message: 'type "procedure" is not defined' },
      { path: ['types', 'memo'], message: '"memo" is not a document type (policy, plan, standard, procedure)' },
      { path: ['types', 'plan', 'approvers'], message: 'must name at least one approver' },
      { path: ['types', 'standard', 'approvers', 0], message: 'must name a role, a department, or both' },
    ]);
  });
});
