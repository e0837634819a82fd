// The rules controls/release-gates.yaml must keep beyond its schema (issue 18). Pure; the loader turns each
// problem's path into a `file:line`.
import { AUTOMATIC_GATES, FINDING_SEVERITIES, type ReleaseGatesPolicy } from './release-model';

export interface ReleaseGatesProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Product keys unique; within a product, gate keys unique (a signed gate may not take an automatic gate's
 * name); every signed gate has signers, each naming a role or a department, every department one of
 * `departmentKeys` (null: not checked, departments.yaml itself has a problem); at most one `riskReport` gate per product, and exactly one for software as a medical
 * device (ISO 14971 clause 9 applies to every SaMD release); fix deadlines that never give a more severe
 * finding longer than a less severe one.
 */
export function validateReleaseGates(
  p: ReleaseGatesPolicy,
  departmentKeys: readonly string[] | null,
): ReleaseGatesProblem[] {
  const problems: ReleaseGatesProblem[] = [];
  const sla = FINDING_SEVERITIES.map((s) => p.findingSlaDays[s]);
  FINDING_SEVERITIES.forEach((s, i) => {
    if (i > 0 && sla[i] < sla[i - 1])
      problems.push({
        path: ['findingSlaDays', s],
        message: `must not be shorter than ${FINDING_SEVERITIES[i - 1]}'s (${sla[i - 1]} days): a less severe finding may not be more urgent`,
      });
  });
  if (p.products.length === 0) problems.push({ path: ['products'], message: 'must list at least one product' });
  const productKeys = new Set<string>();
  p.products.forEach((product, i) => {
    if (productKeys.has(product.key))
      problems.push({ path: ['products', i, 'key'], message: `product "${product.key}" is listed twice` });
    productKeys.add(product.key);
    const gateKeys = new Set<string>();
    product.automatic.forEach((gate, j) => {
      if (gateKeys.has(gate))
        problems.push({ path: ['products', i, 'automatic', j], message: `gate "${gate}" is listed twice` });
      gateKeys.add(gate);
    });
    const riskReports: number[] = [];
    product.signed.forEach((gate, j) => {
      const at = ['products', i, 'signed', j];
      if ((AUTOMATIC_GATES as readonly string[]).includes(gate.key))
        problems.push({ path: [...at, 'key'], message: `"${gate.key}" is an automatic gate's key` });
      else if (gateKeys.has(gate.key))
        problems.push({ path: [...at, 'key'], message: `gate "${gate.key}" is listed twice` });
      gateKeys.add(gate.key);
      if (gate.riskReport) riskReports.push(j);
      if (gate.signers.length === 0)
        problems.push({ path: [...at, 'signers'], message: 'must name at least one signer' });
      gate.signers.forEach((slot, k) => {
        if (!slot.role && !slot.department)
          problems.push({ path: [...at, 'signers', k], message: 'must name a role, a department, or both' });
        if (slot.department && departmentKeys && !departmentKeys.includes(slot.department))
          problems.push({
            path: [...at, 'signers', k, 'department'],
            message: `"${slot.department}" is not a department in departments.yaml`,
          });
      });
    });
    for (const j of riskReports.slice(1))
      problems.push({
        path: ['products', i, 'signed', j, 'riskReport'],
        message: 'only one gate of a product may sign the risk management report',
      });
    if (product.samd && riskReports.length === 0)
      problems.push({
        path: ['products', i, 'signed'],
        message:
          'software as a medical device needs the ISO 14971 clause 9 review: a signed gate with riskReport: true',
      });
  });
  return problems;
}
