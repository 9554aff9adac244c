// Docker-style generated names (`adjective_surname`), the one generator for
// services created without a name, by the CLI and by the managers alike.
/** A source of randomness, injected so name generation is deterministic in tests. */
export type RandomInt = (maxExclusive: number) => number;

const ADJECTIVES = [
  'amber', 'bold', 'brave', 'bright', 'calm', 'clever', 'cosmic', 'crisp', 'daring', 'eager',
  'fair', 'fervent', 'fond', 'gentle', 'glad', 'golden', 'happy', 'hardy', 'humble', 'jolly',
  'keen', 'kind', 'lively', 'lucid', 'lucky', 'merry', 'mellow', 'mighty', 'nimble', 'noble',
  'patient', 'placid', 'proud', 'quick', 'quiet', 'rapid', 'serene', 'sharp', 'shiny', 'silent',
  'sleepy', 'smooth', 'snug', 'steady', 'sunny', 'swift', 'tender', 'tidy', 'upbeat', 'vivid',
  'warm', 'wise', 'witty', 'zealous', 'zen',
];

// Scientists, engineers and explorers, as Docker's generator honours them.
const SURNAMES = [
  'agnesi', 'archimedes', 'babbage', 'banach', 'bell', 'blackwell', 'bohr', 'boole', 'cannon', 'carson',
  'curie', 'darwin', 'dijkstra', 'einstein', 'euclid', 'euler', 'faraday', 'fermat', 'feynman', 'franklin',
  'galileo', 'gauss', 'goodall', 'hamilton', 'hawking', 'hopper', 'hypatia', 'johnson', 'kepler', 'knuth',
  'lamarr', 'lamport', 'liskov', 'lovelace', 'maxwell', 'meitner', 'mendel', 'newton', 'noether', 'pascal',
  'pasteur', 'planck', 'ritchie', 'sagan', 'shannon', 'tesla', 'thompson', 'torvalds', 'turing', 'wozniak',
];

/** A Docker-style generated name, `adjective_surname`. */
export function generateName(random: RandomInt): string {
  const adjective = ADJECTIVES[random(ADJECTIVES.length)] ?? 'brave';
  const surname = SURNAMES[random(SURNAMES.length)] ?? 'turing';
  return `${adjective}_${surname}`;
}
