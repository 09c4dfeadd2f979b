/* SPDX-License-Identifier: ISC */
/* Placeholder so the crypto layer library is never empty. */
int adit_crypto_layer_placeholder;
