/** What every step has besides its arguments. */
export interface StepOptions {
  /** Unique in the pipeline, branches of Condition steps included; 1-64 of `[A-Za-z0-9-_]`. */
  name: string;
  /** Steps that must finish first although nothing of theirs is referenced (references add edges by themselves). */
  dependsOn?: readonly (string | { readonly name: string })[];
  displayName?: string;
  description?: string;
}

export interface StepCommon {
  readonly name: string;
  readonly dependsOn: readonly string[];
  readonly displayName?: string;
  readonly description?: string;
}

/** Splits a step's options into what every step has and the step's own arguments. */
export function splitStepOptions<O extends StepOptions>(options: O): { common: StepCommon; args: Omit<O, keyof StepOptions> } {
  const { name, dependsOn, displayName, description, ...args } = options;
  const common: StepCommon = {
    name,
    dependsOn: (dependsOn ?? []).map((d) => (typeof d === 'string' ? d : d.name)),
    ...(displayName === undefined ? {} : { displayName }),
    ...(description === undefined ? {} : { description }),
  };
  return { common, args };
}
