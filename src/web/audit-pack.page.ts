// View model of an audit pack's page: progress through the build stages while it builds, downloads when
// done, the reason when it failed. A pure function of the service's view.
import type { PackView } from '../audit-packs/dto/pack.dto';

const STAGES = ['collecting', 'rendering', 'signing', 'zipping', 'done'] as const;

export function auditPackPage(pack: PackView) {
  return {
    pageTitle: `Audit pack ${pack.framework} ${pack.from}–${pack.to}`,
    pack,
    building: pack.status === 'queued' || pack.status === 'building',
    done: pack.status === 'done',
    failed: pack.status === 'failed',
    stages: STAGES.map((s) => ({ name: s, current: s === pack.stage })),
  };
}
