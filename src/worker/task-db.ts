// The agent's own small task database (DESIGN.md step 8): each task this node
// runs, with the status the agent last reached (including its container ID),
// so a daemon restart re-adopts containers instead of orphaning or
// duplicating them. Values are proto-encoded Tasks: proto/ is the only
// definition of what we persist.
import { mkdirSync } from 'node:fs';
import { Level } from 'level';
import { codec, type Task } from '../gen/index.js';

const TASK_PREFIX = 'task/';
/** Tasks per node are few; a bound still catches a runaway. */
const MAX_TASKS = 100_000;

/** Tasks by ID in LevelDB under the agent's data directory. */
export class TaskDb {
  private constructor(private readonly db: Level<string, Uint8Array>) {}

  /** Opens (creating) the database in `dir`; fails if another agent holds it. */
  static async open(dir: string): Promise<TaskDb> {
    mkdirSync(dir, { recursive: true });
    const db = new Level<string, Uint8Array>(dir, { valueEncoding: 'view' });
    await db.open();
    return new TaskDb(db);
  }

  /** Every stored task. */
  async all(): Promise<Task[]> {
    const tasks: Task[] = [];
    for await (const value of this.db.values({ gte: TASK_PREFIX, lt: `${TASK_PREFIX}\xff`, limit: MAX_TASKS })) tasks.push(codec.Task.decode(value));
    return tasks;
  }

  /** Stores a task, its status included. */
  async put(task: Task): Promise<void> {
    await this.db.put(TASK_PREFIX + task.id, codec.Task.encode(task));
  }

  /** Forgets a task. */
  async delete(taskId: string): Promise<void> {
    await this.db.del(TASK_PREFIX + taskId);
  }

  /** Closes the database. */
  async close(): Promise<void> {
    await this.db.close();
  }
}
