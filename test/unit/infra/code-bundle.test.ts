import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODE_BUNDLE, REPO_ROOT, synthTestApp, SYNTH_TIMEOUT, tempDir } from './helpers.ts';

describe('the code bundle cdk deploy uploads', () => {
  it('holds, byte for byte and under the same version, what `yolops code bundle` makes of training/', { timeout: SYNTH_TIMEOUT }, () => {
    const app = synthTestApp();
    const deployment = Object.values(app.pipeline.findResources('Custom::CDKBucketDeployment'))[0];
    const [zip] = deployment?.Properties.SourceObjectKeys as string[];
    // The asset the deployment unzips into code/<version>/, as synth staged it in the cloud assembly.
    const staged = join(app.outdir, `asset.${zip?.replace(/\.zip$/, '')}`);
    expect(readdirSync(staged).sort()).toEqual(['processing_entrypoint.sh', 'sourcedir.tar.gz']);

    const cliDir = join(tempDir('cli-bundle-'), 'bundle');
    const cli = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/yolops.js'), 'code', 'bundle', cliDir, '--json'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    const printed = JSON.parse(cli.stdout) as { version: string; codeUri: string };
    expect(printed.version).toBe(CODE_BUNDLE.version);
    expect(deployment?.Properties.DestinationBucketKeyPrefix).toBe(`code/${printed.version}/`);
    expect(printed.codeUri).toBe(`s3://${deployment?.Properties.DestinationBucketName as string}/code/${printed.version}/`);
    for (const file of ['sourcedir.tar.gz', 'processing_entrypoint.sh']) {
      expect(readFileSync(join(staged, file)).equals(readFileSync(join(cliDir, file))), file).toBe(true);
    }
  });
});
