/* SPDX-License-Identifier: ISC */
/* Placeholder so the keys layer library is never empty. */
int adit_keys_layer_placeholder;
