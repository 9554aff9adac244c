// VXLAN network identifiers, chosen by the allocator like subnets: lowest
// free first, from Docker's starting point, so replays agree.
import { err, ok, type Result } from '../../common/result.js';

/** First VNI handed out (Docker Swarm starts overlay VNIs at 4096). */
export const firstVni = 4096;
/** Largest VNI (24 bits). */
export const maxVni = 16_777_215;

/** The lowest VNI at or above firstVni that is not in `used`. Pure. */
export function chooseVni(used: Iterable<number>): Result<number, { kind: 'vni-exhausted'; message: string }> {
  const taken = new Set(used);
  for (let vni = firstVni; vni <= maxVni; vni++) if (!taken.has(vni)) return ok(vni);
  return err({ kind: 'vni-exhausted', message: 'no free VXLAN ID left' });
}
