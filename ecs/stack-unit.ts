import { createHash } from 'node:crypto';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * A part of the stack (the lake bucket, the alerts, …) as a construct with props, for structure
 * only: its id stays out of the logical ids of what it holds. Wrapping resources that already exist
 * in a construct would otherwise rename them, and CloudFormation replaces a renamed resource — for
 * the lake bucket (retained, with a fixed name) the deploy would fail. SoundlakeStack allocates
 * logical ids with `logicalIdSkippingUnits`.
 */
export class StackUnit extends Construct {}

/** Path components CDK leaves out of logical ids (aws-cdk-lib core/lib/private/uniqueid.js). */
const HIDDEN_ID = 'Default';
const HIDDEN_FROM_HUMAN_ID = 'Resource';
const MAX_HUMAN_LEN = 240;
const MAX_ID_LEN = 255;
const alphanumeric = (s: string) => s.replace(/[^A-Za-z0-9]/g, '');

/**
 * CDK's own logical-id scheme (the "hashed addressing scheme" of `Stack.allocateLogicalId`:
 * human-readable path + 8 hex digits of the path's MD5), computed over the path below the stack
 * with StackUnit ids left out. The committed template test proves the ids equal CDK's own.
 */
export function logicalIdSkippingUnits(stack: Stack, element: CfnElement): string {
  const scopes = element.node.scopes;
  const below = scopes.slice(scopes.indexOf(stack) + 1).filter((scope) => !(scope instanceof StackUnit));
  const components = below.map((scope) => scope.node.id).filter((id) => id !== HIDDEN_ID);
  if (components.length === 1 && alphanumeric(components[0]).length <= MAX_ID_LEN) return alphanumeric(components[0]);
  const hash = createHash('md5').update(components.join('/')).digest('hex').slice(0, 8).toUpperCase();
  const human: string[] = [];
  for (const component of components) if (human.length === 0 || !human[human.length - 1].endsWith(component)) human.push(component);
  return (
    human
      .filter((id) => id !== HIDDEN_FROM_HUMAN_ID)
      .map(alphanumeric)
      .join('')
      .slice(0, MAX_HUMAN_LEN) + hash
  );
}
