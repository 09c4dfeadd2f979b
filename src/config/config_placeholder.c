/* SPDX-License-Identifier: ISC */
/* Placeholder so the config layer library is never empty. */
int adit_config_layer_placeholder;
