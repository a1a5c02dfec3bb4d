import { describe, expect, it } from 'vitest';
import { labelDirForImageDir, labelKeyForImage, resolveSplitPath } from '../../../../src/core/dataset/split-paths.ts';

const folders = (...existing: string[]) => (folder: string) => existing.includes(folder);

describe('resolveSplitPath', () => {
  const prefix = 'ds/v1/';

  it('joins relative paths to the folder of data.yaml', () => {
    expect(resolveSplitPath(prefix, 'images/train', folders('ds/v1/images/train'))).toEqual({ kind: 'found', imageDir: 'ds/v1/images/train' });
    expect(resolveSplitPath(prefix, './images/train/', folders('ds/v1/images/train'))).toEqual({ kind: 'found', imageDir: 'ds/v1/images/train' });
    expect(resolveSplitPath('', 'images\\train', folders('images/train'))).toEqual({ kind: 'found', imageDir: 'images/train' });
  });

  it('drops a leading ../ that would leave the dataset, as Ultralytics does for Roboflow exports', () => {
    expect(resolveSplitPath(prefix, '../train/images', folders('ds/v1/train/images', 'ds/train/images'))).toEqual({ kind: 'found', imageDir: 'ds/v1/train/images' });
    expect(resolveSplitPath('', '../valid/images', folders('valid/images'))).toEqual({ kind: 'found', imageDir: 'valid/images' });
    expect(resolveSplitPath(prefix, 'images/../images/val', folders('ds/v1/images/val'))).toEqual({ kind: 'found', imageDir: 'ds/v1/images/val' });
  });

  it('says where it looked when nothing is there', () => {
    expect(resolveSplitPath(prefix, '../val/images', folders())).toEqual({ kind: 'missing', tried: ['ds/v1/val/images'] });
  });

  it('refuses URLs, absolute paths and list files', () => {
    expect(resolveSplitPath(prefix, 'https://example.com/train.zip', folders())).toMatchObject({ kind: 'unsupported', reason: 'https://example.com/train.zip is a URL' });
    expect(resolveSplitPath(prefix, 'C:\\data\\images\\train', folders())).toMatchObject({ kind: 'unsupported' });
    expect(resolveSplitPath(prefix, 'train.txt', folders())).toMatchObject({ kind: 'unsupported', reason: 'train.txt is a list file' });
  });
});

describe('label paths', () => {
  it('swap the last images folder for labels and the extension for .txt, below the prefix only', () => {
    expect(labelKeyForImage('ds/', 'ds/images/train/a.b.jpg')).toBe('ds/labels/train/a.b.txt');
    expect(labelKeyForImage('ds/', 'ds/train/images/sub/a.png')).toBe('ds/train/labels/sub/a.txt');
    expect(labelKeyForImage('images/', 'images/train/a.png')).toBe('images/train/a.txt');
    expect(labelKeyForImage('', 'images/x/images/a.png')).toBe('images/x/labels/a.txt');
    expect(labelDirForImageDir('ds/', 'ds/images/train')).toBe('ds/labels/train');
    expect(labelDirForImageDir('ds/', 'ds/valid/images')).toBe('ds/valid/labels');
    expect(labelDirForImageDir('ds/', 'ds/pictures')).toBe('ds/pictures');
  });
});
