// Placeholder until the deployer lands: the ServingStack bundles this entry. Replaced by the real handler.
export async function handler(): Promise<never> {
  throw new Error('the deployer is not built yet');
}
