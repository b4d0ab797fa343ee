import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isModified, shouldDestroy, shouldSave, shouldSetCookie, shouldTouch, type SessionSnapshot } from '../src/decisions';

function snapshot(overrides: Partial<Omit<SessionSnapshot, 'currentFingerprint'>> & { fingerprint?: string } = {}): SessionSnapshot {
  const { fingerprint = '{}', ...rest } = overrides;
  return {
    sessionId: 'id',
    cookieId: 'id',
    originalId: 'id',
    originalFingerprint: '{}',
    savedFingerprint: '{}',
    currentId: 'id',
    cookieHasExpiry: false,
    currentFingerprint: () => fingerprint,
    ...rest,
  };
}

const defaults = { saveUninitialized: false, rolling: false };

describe('decisions', () => {
  describe('isModified', () => {
    it('is false for the same id and data', () => assert.equal(isModified(snapshot()), false));
    it('is true when the data changed', () => assert.equal(isModified(snapshot({ fingerprint: '{"a":1}' })), true));
    it('is true when the id changed (regenerated)', () => assert.equal(isModified(snapshot({ currentId: 'other' })), true));
  });

  describe('shouldSave', () => {
    it('does not save an unmodified new session when saveUninitialized is false', () => {
      assert.equal(shouldSave(snapshot({ cookieId: undefined, savedFingerprint: undefined }), defaults), false);
    });
    it('saves a new session that holds data', () => {
      assert.equal(shouldSave(snapshot({ cookieId: undefined, savedFingerprint: undefined, fingerprint: '{"a":1}' }), defaults), true);
    });
    it('saves an unmodified new session when saveUninitialized is true', () => {
      assert.equal(shouldSave(snapshot({ cookieId: undefined, savedFingerprint: undefined }), { ...defaults, saveUninitialized: true }), true);
    });
    it('does not save a loaded session whose data matches what was saved', () => assert.equal(shouldSave(snapshot(), defaults), false));
    it('saves a loaded session that was never marked saved (resave)', () => {
      assert.equal(shouldSave(snapshot({ savedFingerprint: undefined }), defaults), true);
    });
    it('does not save when req.sessionID is not a string', () => {
      assert.equal(shouldSave(snapshot({ sessionId: 42, fingerprint: '{"a":1}' }), defaults), false);
    });
  });

  describe('shouldTouch', () => {
    it('touches a loaded session that needs no save', () => assert.equal(shouldTouch(snapshot(), defaults), true));
    it('does not touch a session that will be saved', () => assert.equal(shouldTouch(snapshot({ fingerprint: '{"a":1}' }), defaults), false));
    it('does not touch a session the browser did not send', () => assert.equal(shouldTouch(snapshot({ cookieId: undefined }), defaults), false));
  });

  describe('shouldSetCookie', () => {
    it('sets it for a new id when saveUninitialized is true', () => {
      assert.equal(shouldSetCookie(snapshot({ cookieId: undefined }), { ...defaults, saveUninitialized: true }), true);
    });
    it('does not set it for an unmodified new id when saveUninitialized is false', () => {
      assert.equal(shouldSetCookie(snapshot({ cookieId: undefined }), defaults), false);
    });
    it('sets it on every response with rolling', () => assert.equal(shouldSetCookie(snapshot(), { ...defaults, rolling: true }), true));
    it('sets it for a modified session whose cookie has an expiry', () => {
      assert.equal(shouldSetCookie(snapshot({ cookieHasExpiry: true, fingerprint: '{"a":1}' }), defaults), true);
    });
    it('does not set it for a modified browser-session cookie the browser already has', () => {
      assert.equal(shouldSetCookie(snapshot({ fingerprint: '{"a":1}' }), defaults), false);
    });
    it('does not set it when req.sessionID is not a string', () => {
      assert.equal(shouldSetCookie(snapshot({ sessionId: undefined, cookieId: undefined }), { ...defaults, saveUninitialized: true }), false);
    });
  });

  describe('shouldDestroy', () => {
    it('destroys with unset destroy when the session is gone', () => assert.equal(shouldDestroy('id', undefined, true), true));
    it('keeps it with unset keep', () => assert.equal(shouldDestroy('id', undefined, false), false));
    it('does not destroy a session that is still there', () => assert.equal(shouldDestroy('id', {}, true), false));
    it('does not destroy without an id', () => assert.equal(shouldDestroy(undefined, null, true), false));
  });
});
