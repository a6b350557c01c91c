/** The page's small words: "an 8" and "an Ankle boot", and "digits" only for datasets whose classes are digits. */

/** A class name with its article: "8" -> "an 8", "Ankle boot" -> "an Ankle boot", "T-shirt/top" -> "a T-shirt/top". */
export function withArticle(name) {
  // Spoken, 8, 11 and 18 begin with a vowel sound ("an eight").
  return `${/^([aeiou]|8|11\b|18\b)/i.test(String(name)) ? 'an' : 'a'} ${name}`;
}

/** What the model draws, in the plural: "digits" for MNIST-like class names (or none), else "images". */
export function things(classNames) {
  return !classNames || classNames.length === 0 || classNames.every((name) => /^\d$/.test(name)) ? 'digits' : 'images';
}
