/** What the Terraform commands (`plan`, `deploy`, and `scale-test` reading the stack) run against. */
export interface TerraformSettings {
  /** Absolute path of the configuration to plan and apply. */
  workingDirectory: string;
  /** How comments and logs name the configuration (the input as given, or `terraform (bundled)`). */
  label: string;
  /** `-backend-config` pairs for `terraform init`. */
  backendConfig: Record<string, string>;
  /** `-var` pairs, besides `image`, which the action sets. */
  variables: Record<string, string>;
  varFiles: string[];
  lockTimeout: string;
  allowDestroy: boolean;
  protectedResourceTypes: string[];
}
