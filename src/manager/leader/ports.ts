import type { StoreAction } from '../../gen/index.js';
import type { ApplyResult } from '../store/index.js';

/** Proposes one batch through Raft; resolves with how every store applied it. */
export type Propose = (actions: StoreAction[]) => Promise<ApplyResult>;
