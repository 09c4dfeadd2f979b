/* SPDX-License-Identifier: ISC */
/* Placeholder so the auth layer library is never empty. */
int adit_auth_layer_placeholder;
