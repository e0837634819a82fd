// The entries bench/trail-bench.js and bench/trail-verify.js append: evidence events of a few actors.
'use strict';
const { randomBytes, randomUUID } = require('node:crypto');

const ACTIONS = ['user.update', 'evidence.create', 'evidence.download', 'sweep_task.complete', 'auth.login'];

/** The i-th entry the benches append: an evidence event of one of `actors`. */
function benchEntry(i, actors) {
  return {
    actor: actors[i % actors.length],
    action: ACTIONS[i % ACTIONS.length],
    subjectType: 'Evidence',
    subjectId: randomUUID(),
    data: {
      controlKey: `PRV-${String(i % 40).padStart(2, '0')}`,
      sha256: randomBytes(32).toString('hex'),
      size: i * 17,
      week: '2026-W02',
    },
  };
}

module.exports = { benchEntry };
