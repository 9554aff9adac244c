// Image reference check, as distribution/reference's ParseAnyReference that
// `docker stack deploy` runs on every service's image.

const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const tag = ':[\\w][\\w.-]{0,127}';
const digest = '@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const reference = new RegExp(`^(?:${domain}/)?${component}(?:/${component})*(?:${tag})?(?:${digest})?$`);

/** Why `image` is not a valid reference, or undefined when it is. */
export function imageReferenceError(image: string): string | undefined {
  if (image === '') return 'no image specified';
  if (/^[a-f0-9]{64}$/.test(image)) return undefined; // a full image ID
  if (reference.test(image)) return undefined;
  const path = image.split(/[@]/)[0] ?? image;
  const first = path.split('/')[0] ?? '';
  const hasDomain = path.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const repo = (hasDomain ? path.slice(first.length + 1) : path).replace(/:[^/]*$/, '');
  if (repo !== repo.toLowerCase()) return `invalid reference format: repository name (${repo}) must be lowercase`;
  return 'invalid reference format';
}
