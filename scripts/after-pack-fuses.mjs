// electron-builder afterPack hook: flips the Electron fuses of the packed binary (Electron
// security checklist item 19) before it is signed. Each fuse closes a way to run other code
// with Lumi's identity and permissions (its microphone grant, its keychain entries).
import path from 'node:path';
import { FuseV1Options, FuseVersion, flipFuses } from '@electron/fuses';
import { Arch } from 'electron-builder';

/** The fuse settings of every Lumi build. */
export const LUMI_FUSES = {
  // ELECTRON_RUN_AS_NODE would turn the app into a plain Node that runs any script.
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  // NODE_OPTIONS and --inspect would let a launcher inject code or attach a debugger.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // Load only the packed, integrity-checked app.asar (Electron implements the integrity
  // check on macOS and Windows).
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  // The renderer is served from app://, never file://.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

/** The file that carries the fuse wire for a packed app. */
export function fusedExecutable(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const name = packager.appInfo.productFilename;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${name}.app`);
    case 'win32':
      return path.join(appOutDir, `${name}.exe`);
    default:
      return path.join(appOutDir, packager.executableName);
  }
}

export default async function afterPack(context) {
  await flipFuses(fusedExecutable(context), {
    version: FuseVersion.V1,
    // Flipping fuses breaks the ad-hoc signature Apple Silicon requires; re-sign ad hoc.
    resetAdHocDarwinSignature:
      context.electronPlatformName === 'darwin' && context.arch === Arch.arm64,
    ...LUMI_FUSES,
  });
}
