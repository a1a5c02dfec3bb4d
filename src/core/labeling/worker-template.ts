/**
 * The worker task template of the bounding-box task (CreateLabelingJob's UiConfig.UiTemplateS3Uri). The API
 * reference's UiConfig: HumanTaskUiArn is for named entity recognition, 3D point cloud and video frame jobs only;
 * every other built-in task type takes a template in S3. This is the developer guide's starter bounding-box
 * template (the `boundingBox` crowd-bounding-box element whose answer ACS-BoundingBox consolidates, the image
 * from the manifest line, the labels PRE-BoundingBox reads from the label category file), with the job's title and
 * instructions written in, HTML-escaped.
 */
export function boundingBoxTemplate(options: { header: string; instructions?: string | undefined }): string {
  const header = escapeHtml(options.header);
  const instructions = escapeHtml(options.instructions ?? 'Draw a tight box around every object of each listed class; leave objects of no listed class unboxed.');
  return `<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-bounding-box
    name="boundingBox"
    src="{{ task.input.taskObject | grant_read_access }}"
    header="${header}"
    labels="{{ task.input.labels | to_json | escape }}"
  >
    <full-instructions header="Bounding box instructions">
      <p>${instructions}</p>
      <ol>
        <li>Choose the class, then draw a rectangle over each object of that class.</li>
        <li>Keep each box tight: it should touch the object's outermost visible pixels.</li>
        <li>Box overlapping objects one by one, each with its own box.</li>
        <li>If an object leaves the image, box it up to the image edge.</li>
      </ol>
    </full-instructions>
    <short-instructions>
      <p>${instructions}</p>
    </short-instructions>
  </crowd-bounding-box>
</crowd-form>
`;
}

/** Text as HTML element content and attribute values; Liquid delimiters are broken up so a title is never code. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\{/g, '&#123;')
    .replace(/\}/g, '&#125;');
}
