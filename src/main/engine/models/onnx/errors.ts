/**
 * The one error the importer throws for a model it cannot run: it names the file, and when a node
 * is at fault, the node's name, its operator type and the model's opset, so that the message alone
 * says what to change (re-export with another opset, replace an operator, ...).
 */
export class OnnxImportError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly node?: { name: string; op: string; opset: number },
  ) {
    super(node ? `${file}: node "${node.name}" (${node.op}, opset ${node.opset}): ${detail}` : `${file}: ${detail}`);
    this.name = 'OnnxImportError';
  }
}
