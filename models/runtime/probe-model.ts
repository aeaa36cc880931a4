/**
 * The smallest useful ONNX model, y = Identity(x) with x: float32[1] (opset 13, IR 7),
 * used to test whether an execution provider loads without touching a real model.
 * Made by models/py/fixtures/make_session_fixtures.py (probe_identity); a unit test
 * checks these bytes against test/fixtures/onnx/probe-identity.onnx.
 */
export const PROBE_MODEL_BASE64 =
  'CAc6OwoQCgF4EgF5IghJZGVudGl0eRIFcHJvYmVaDwoBeBIKCggIARIECgIIAWIPCgF5EgoKCAgBEgQKAggBQgQKABAN';

export function probeModelBytes(): Uint8Array {
  return new Uint8Array(Buffer.from(PROBE_MODEL_BASE64, 'base64'));
}
