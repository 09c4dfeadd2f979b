/* SPDX-License-Identifier: ISC */
/* Placeholder so the fwd layer library is never empty. */
int adit_fwd_layer_placeholder;
