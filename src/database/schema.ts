// The whole persistence model in one list each: entities (from their modules) and migrations (from
// migrations/, oldest first). The app, the CLI, the migration tool and the test harness all use these.
import { CreateJobRuns1764000000000 } from '../../migrations/1764000000000-CreateJobRuns';
import { JobRun } from '../jobs/job-run.entity';

export const ENTITIES = [JobRun];

export const MIGRATIONS = [CreateJobRuns1764000000000];
