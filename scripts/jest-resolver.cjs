/**
 * Jest resolves CommonJS `require` conditions; ESM-only packages (@actions/core 3, Octokit 7, ...)
 * export nothing under them. Those, and only those, resolve with the `import` condition instead;
 * jest.config.js transforms what they resolve to into CommonJS.
 */
module.exports = (path, options) => {
  try {
    return options.defaultResolver(path, options);
  } catch (error) {
    if (!options.conditions) throw error;
    return options.defaultResolver(path, { ...options, conditions: [...options.conditions, 'import'] });
  }
};
